-- Rollback of 0007_plan_summary.
ALTER TABLE "learning_plans" DROP COLUMN "summary";
