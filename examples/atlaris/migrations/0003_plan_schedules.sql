-- A new table with everything it needs in the same file: its foreign key, its index, row level
-- security, policies and grants. Nothing here touches a table that may hold data, so none of it
-- takes a lock that running code would notice (the foreign key briefly locks learning_plans
-- against writes only while the empty table is checked).
CREATE TABLE IF NOT EXISTS "plan_schedules" (
	"plan_id" uuid PRIMARY KEY NOT NULL,
	"schedule_json" jsonb NOT NULL,
	"inputs_hash" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"week_start_date" date NOT NULL,
	"deadline_date" date,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plan_schedules" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "plan_schedules" ADD CONSTRAINT "plan_schedules_plan_id_learning_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."learning_plans"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_plan_schedules_inputs_hash" ON "plan_schedules" USING btree ("inputs_hash");--> statement-breakpoint
DROP POLICY IF EXISTS "plan_schedules_select_own" ON "plan_schedules";--> statement-breakpoint
CREATE POLICY "plan_schedules_select_own" ON "plan_schedules" AS PERMISSIVE FOR SELECT TO public USING (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "plan_schedules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "plan_schedules_insert_own" ON "plan_schedules";--> statement-breakpoint
CREATE POLICY "plan_schedules_insert_own" ON "plan_schedules" AS PERMISSIVE FOR INSERT TO public WITH CHECK (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "plan_schedules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "plan_schedules_update_own" ON "plan_schedules";--> statement-breakpoint
CREATE POLICY "plan_schedules_update_own" ON "plan_schedules" AS PERMISSIVE FOR UPDATE TO public USING (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "plan_schedules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'))) WITH CHECK (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "plan_schedules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "plan_schedules_delete_own" ON "plan_schedules";--> statement-breakpoint
CREATE POLICY "plan_schedules_delete_own" ON "plan_schedules" AS PERMISSIVE FOR DELETE TO public USING (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "plan_schedules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "plan_schedules" TO "authenticated";
