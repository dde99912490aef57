-- Rollback of 0004_weekly_hours_cap_not_valid.
ALTER TABLE "learning_plans" DROP CONSTRAINT "learning_plans_weekly_hours_max";
