-- Rollback of 0006_plan_release_note.
ALTER TABLE "learning_plans" DROP COLUMN "release_note";
