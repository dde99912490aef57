-- Rollback of 0007_plan_topic_varchar: the topic is text again, as 0000 made it.
ALTER TABLE "learning_plans" ALTER COLUMN "topic" TYPE text;
