-- Rollback of 0007_drop_plan_visibility: the column comes back as 0000 made it.
ALTER TABLE "learning_plans" ADD COLUMN "visibility" text DEFAULT 'private' NOT NULL;
