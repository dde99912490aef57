CREATE TABLE "plans" ("id" uuid PRIMARY KEY, "topic" varchar(40), "status" text DEFAULT 'draft', "module_id" uuid);--> statement-breakpoint
CREATE TABLE "modules" ("id" uuid PRIMARY KEY);--> statement-breakpoint
CREATE TABLE "events" ("at" date NOT NULL) PARTITION BY RANGE ("at");--> statement-breakpoint
CREATE INDEX "plans_topic_idx" ON "plans" ("topic");--> statement-breakpoint
CREATE POLICY "plans_owner_read" ON "plans" FOR SELECT USING (true);--> statement-breakpoint
CREATE FUNCTION "plan_defaults"() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT '{}'::jsonb $$;
