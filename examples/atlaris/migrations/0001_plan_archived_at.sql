-- gates: deprecate column job_queue.locked_at
-- gates: deprecate column job_queue.locked_by

-- Two-phase drop, phase 1: no code writes job_queue.locked_at or job_queue.locked_by (the claim
-- query locks rows with FOR UPDATE and never touches them). The markers above record the
-- deprecation; 0005 drops the columns once a release that no longer names them is live.
--
-- Expand: a nullable column without a default is a catalogue-only change (no rewrite, only a brief
-- lock), and code that does not know the column keeps working.
ALTER TABLE "learning_plans" ADD COLUMN IF NOT EXISTS "archived_at" timestamp with time zone;
