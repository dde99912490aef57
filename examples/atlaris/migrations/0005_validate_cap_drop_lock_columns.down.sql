-- Rollback of 0005_validate_cap_drop_lock_columns.
-- The dropped columns come back with their original types, nullable and without defaults; they
-- are re-added at the end of the table, and their old values (never written by any code) are gone.
ALTER TABLE "job_queue" ADD COLUMN "locked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "job_queue" ADD COLUMN "locked_by" text;--> statement-breakpoint
-- A validated constraint cannot be marked NOT VALID again: drop it and add it back unvalidated,
-- which is exactly the state 0004 left.
ALTER TABLE "learning_plans" DROP CONSTRAINT "learning_plans_weekly_hours_max";--> statement-breakpoint
ALTER TABLE "learning_plans" ADD CONSTRAINT "learning_plans_weekly_hours_max" CHECK ("weekly_hours" <= 80) NOT VALID;
