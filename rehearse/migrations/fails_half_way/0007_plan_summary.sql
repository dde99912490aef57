-- Fault fails_half_way: the first statement applies, the second names a column that does not
-- exist. Nothing a linter reads is wrong; only a real Postgres says so.
ALTER TABLE "learning_plans" ADD COLUMN "summary" text;--> statement-breakpoint
COMMENT ON COLUMN "learning_plans"."sumary" IS 'one-line summary shown in plan lists';
