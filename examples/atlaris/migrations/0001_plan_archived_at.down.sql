-- Rollback of 0001_plan_archived_at: removes the added column (its values are lost). The
-- deprecation markers changed nothing in the database, so there is nothing else to undo.
ALTER TABLE "learning_plans" DROP COLUMN "archived_at";
