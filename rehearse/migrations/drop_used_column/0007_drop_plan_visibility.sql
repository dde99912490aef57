-- Fault drop_used_column: drops a column every release still reads, with no deprecation first.
ALTER TABLE "learning_plans" DROP COLUMN "visibility";
