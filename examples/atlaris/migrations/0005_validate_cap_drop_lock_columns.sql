-- Contract steps, shipped in a release after 0001 and 0004 were applied everywhere.
--
-- 1. Validate the CHECK added NOT VALID in 0004. This scans learning_plans under a SHARE UPDATE
--    EXCLUSIVE lock, which does not block reads or writes. It fails if an old row breaks the rule:
--    fix such rows before this release. Only a fresh database applies 0004 and 0005 together, in
--    one transaction, where the table is empty and the lock costs nothing.
-- gates: allow validate-in-same-transaction -- 0004 is applied in production a release earlier
ALTER TABLE "learning_plans" VALIDATE CONSTRAINT "learning_plans_weekly_hours_max";--> statement-breakpoint
-- 2. Two-phase drop, phase 2: these columns were deprecated in 0001 and no released code names
--    them any more. The gate reports each drop as info, naming 0001.
ALTER TABLE "job_queue" DROP COLUMN IF EXISTS "locked_at";--> statement-breakpoint
ALTER TABLE "job_queue" DROP COLUMN IF EXISTS "locked_by";
