-- Fault suppressed_drop: the same drop, silenced with a reason, so the lint lets it through.
-- The release still running reads and writes visibility, so it breaks the moment this applies.
-- gates: allow drop-column -- the new release no longer reads visibility
ALTER TABLE "learning_plans" DROP COLUMN "visibility";
