DO $$ BEGIN
 CREATE TYPE "public"."skill_level" AS ENUM('beginner', 'intermediate', 'advanced');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."learning_style" AS ENUM('reading', 'video', 'practice', 'mixed');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."generation_status" AS ENUM('generating', 'ready', 'failed');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."job_status" AS ENUM('pending', 'processing', 'completed', 'failed');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."job_type" AS ENUM('plan_generation', 'plan_regeneration');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."subscription_tier" AS ENUM('free', 'starter', 'pro');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."subscription_status" AS ENUM('active', 'canceled', 'past_due', 'trialing');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."progress_status" AS ENUM('not_started', 'in_progress', 'completed');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."resource_type" AS ENUM('youtube', 'article', 'course', 'doc', 'other');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."integration_provider" AS ENUM('notion', 'google_calendar');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"clerk_user_id" text NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"subscription_tier" "public"."subscription_tier" DEFAULT 'free' NOT NULL,
	"stripe_customer_id" text,
	"stripe_subscription_id" text,
	"subscription_status" "public"."subscription_status",
	"subscription_period_end" timestamp with time zone,
	"monthly_export_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_clerk_user_id_unique" UNIQUE("clerk_user_id"),
	CONSTRAINT "users_email_unique" UNIQUE("email"),
	CONSTRAINT "users_stripe_customer_id_unique" UNIQUE("stripe_customer_id"),
	CONSTRAINT "users_stripe_subscription_id_unique" UNIQUE("stripe_subscription_id")
);
--> statement-breakpoint
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "learning_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"topic" text NOT NULL,
	"skill_level" "public"."skill_level" NOT NULL,
	"weekly_hours" integer NOT NULL,
	"learning_style" "public"."learning_style" NOT NULL,
	"start_date" date,
	"deadline_date" date,
	"visibility" text DEFAULT 'private' NOT NULL,
	"origin" text DEFAULT 'ai' NOT NULL,
	"generation_status" "public"."generation_status" DEFAULT 'generating' NOT NULL,
	"is_quota_eligible" boolean DEFAULT false NOT NULL,
	"finalized_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "learning_plans_weekly_hours_nonnegative" CHECK ("learning_plans"."weekly_hours" >= 0)
);
--> statement-breakpoint
ALTER TABLE "learning_plans" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "modules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"order" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"estimated_minutes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "modules_plan_id_order_unique" UNIQUE("plan_id","order"),
	CONSTRAINT "modules_order_positive" CHECK ("modules"."order" >= 1),
	CONSTRAINT "modules_estimated_minutes_nonnegative" CHECK ("modules"."estimated_minutes" >= 0)
);
--> statement-breakpoint
ALTER TABLE "modules" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"module_id" uuid NOT NULL,
	"order" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"estimated_minutes" integer NOT NULL,
	"has_micro_explanation" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tasks_module_id_order_unique" UNIQUE("module_id","order"),
	CONSTRAINT "tasks_order_positive" CHECK ("tasks"."order" >= 1),
	CONSTRAINT "tasks_estimated_minutes_nonnegative" CHECK ("tasks"."estimated_minutes" >= 0)
);
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "task_progress" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" "public"."progress_status" DEFAULT 'not_started' NOT NULL,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_progress_task_id_user_id_unique" UNIQUE("task_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "task_progress" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "job_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid,
	"user_id" uuid NOT NULL,
	"job_type" "public"."job_type" NOT NULL,
	"status" "public"."job_status" DEFAULT 'pending' NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"payload" jsonb NOT NULL,
	"result" jsonb,
	"error" text,
	"locked_at" timestamp with time zone,
	"locked_by" text,
	"scheduled_for" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_queue_attempts_nonnegative" CHECK ("job_queue"."attempts" >= 0),
	CONSTRAINT "job_queue_max_attempts_nonnegative" CHECK ("job_queue"."max_attempts" >= 0)
);
--> statement-breakpoint
ALTER TABLE "job_queue" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "generation_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"status" text NOT NULL,
	"classification" text,
	"duration_ms" integer NOT NULL,
	"modules_count" integer NOT NULL,
	"tasks_count" integer NOT NULL,
	"truncated_topic" boolean DEFAULT false NOT NULL,
	"truncated_notes" boolean DEFAULT false NOT NULL,
	"normalized_effort" boolean DEFAULT false NOT NULL,
	"prompt_hash" text,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "generation_attempts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "ai_usage_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cost_cents" integer DEFAULT 0 NOT NULL,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ai_usage_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "usage_metrics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"month" text NOT NULL,
	"plans_generated" integer DEFAULT 0 NOT NULL,
	"regenerations_used" integer DEFAULT 0 NOT NULL,
	"exports_used" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_metrics_user_id_month_unique" UNIQUE("user_id","month"),
	CONSTRAINT "usage_metrics_plans_generated_nonnegative" CHECK ("usage_metrics"."plans_generated" >= 0),
	CONSTRAINT "usage_metrics_regenerations_used_nonnegative" CHECK ("usage_metrics"."regenerations_used" >= 0),
	CONSTRAINT "usage_metrics_exports_used_nonnegative" CHECK ("usage_metrics"."exports_used" >= 0)
);
--> statement-breakpoint
ALTER TABLE "usage_metrics" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "learning_plans" ADD CONSTRAINT "learning_plans_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "modules" ADD CONSTRAINT "modules_plan_id_learning_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."learning_plans"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "tasks" ADD CONSTRAINT "tasks_module_id_modules_id_fk" FOREIGN KEY ("module_id") REFERENCES "public"."modules"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "job_queue" ADD CONSTRAINT "job_queue_plan_id_learning_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."learning_plans"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "job_queue" ADD CONSTRAINT "job_queue_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "generation_attempts" ADD CONSTRAINT "generation_attempts_plan_id_learning_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."learning_plans"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "ai_usage_events" ADD CONSTRAINT "ai_usage_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "usage_metrics" ADD CONSTRAINT "usage_metrics_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_learning_plans_user_id" ON "learning_plans" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_learning_plans_user_quota" ON "learning_plans" USING btree ("user_id","is_quota_eligible");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_learning_plans_user_generation_status" ON "learning_plans" USING btree ("user_id","generation_status");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_task_progress_user_id" ON "task_progress" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_job_queue_status_scheduled_priority" ON "job_queue" USING btree ("status","scheduled_for","priority");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_job_queue_user_id" ON "job_queue" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_job_queue_plan_id" ON "job_queue" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_job_queue_created_at" ON "job_queue" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_generation_attempts_plan_id" ON "generation_attempts" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_ai_usage_events_user_id" ON "ai_usage_events" USING btree ("user_id");--> statement-breakpoint
DROP POLICY IF EXISTS "users_select_own" ON "users";--> statement-breakpoint
CREATE POLICY "users_select_own" ON "users" AS PERMISSIVE FOR SELECT TO public USING ("users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'));--> statement-breakpoint
DROP POLICY IF EXISTS "users_insert_own" ON "users";--> statement-breakpoint
CREATE POLICY "users_insert_own" ON "users" AS PERMISSIVE FOR INSERT TO public WITH CHECK ("users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'));--> statement-breakpoint
DROP POLICY IF EXISTS "users_update_own" ON "users";--> statement-breakpoint
CREATE POLICY "users_update_own" ON "users" AS PERMISSIVE FOR UPDATE TO public USING ("users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')) WITH CHECK ("users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'));--> statement-breakpoint
DROP POLICY IF EXISTS "learning_plans_select_own" ON "learning_plans";--> statement-breakpoint
CREATE POLICY "learning_plans_select_own" ON "learning_plans" AS PERMISSIVE FOR SELECT TO public USING ("learning_plans"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "learning_plans_insert_own" ON "learning_plans";--> statement-breakpoint
CREATE POLICY "learning_plans_insert_own" ON "learning_plans" AS PERMISSIVE FOR INSERT TO public WITH CHECK ("learning_plans"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "learning_plans_update_own" ON "learning_plans";--> statement-breakpoint
CREATE POLICY "learning_plans_update_own" ON "learning_plans" AS PERMISSIVE FOR UPDATE TO public USING ("learning_plans"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'))) WITH CHECK ("learning_plans"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "learning_plans_delete_own" ON "learning_plans";--> statement-breakpoint
CREATE POLICY "learning_plans_delete_own" ON "learning_plans" AS PERMISSIVE FOR DELETE TO public USING ("learning_plans"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "modules_select_own" ON "modules";--> statement-breakpoint
CREATE POLICY "modules_select_own" ON "modules" AS PERMISSIVE FOR SELECT TO public USING (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "modules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "modules_insert_own" ON "modules";--> statement-breakpoint
CREATE POLICY "modules_insert_own" ON "modules" AS PERMISSIVE FOR INSERT TO public WITH CHECK (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "modules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "modules_update_own" ON "modules";--> statement-breakpoint
CREATE POLICY "modules_update_own" ON "modules" AS PERMISSIVE FOR UPDATE TO public USING (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "modules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'))) WITH CHECK (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "modules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "modules_delete_own" ON "modules";--> statement-breakpoint
CREATE POLICY "modules_delete_own" ON "modules" AS PERMISSIVE FOR DELETE TO public USING (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "modules"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "tasks_select_own" ON "tasks";--> statement-breakpoint
CREATE POLICY "tasks_select_own" ON "tasks" AS PERMISSIVE FOR SELECT TO public USING (EXISTS (SELECT 1 FROM "modules" JOIN "learning_plans" ON "learning_plans"."id" = "modules"."plan_id" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "modules"."id" = "tasks"."module_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "tasks_insert_own" ON "tasks";--> statement-breakpoint
CREATE POLICY "tasks_insert_own" ON "tasks" AS PERMISSIVE FOR INSERT TO public WITH CHECK (EXISTS (SELECT 1 FROM "modules" JOIN "learning_plans" ON "learning_plans"."id" = "modules"."plan_id" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "modules"."id" = "tasks"."module_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "tasks_update_own" ON "tasks";--> statement-breakpoint
CREATE POLICY "tasks_update_own" ON "tasks" AS PERMISSIVE FOR UPDATE TO public USING (EXISTS (SELECT 1 FROM "modules" JOIN "learning_plans" ON "learning_plans"."id" = "modules"."plan_id" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "modules"."id" = "tasks"."module_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'))) WITH CHECK (EXISTS (SELECT 1 FROM "modules" JOIN "learning_plans" ON "learning_plans"."id" = "modules"."plan_id" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "modules"."id" = "tasks"."module_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "tasks_delete_own" ON "tasks";--> statement-breakpoint
CREATE POLICY "tasks_delete_own" ON "tasks" AS PERMISSIVE FOR DELETE TO public USING (EXISTS (SELECT 1 FROM "modules" JOIN "learning_plans" ON "learning_plans"."id" = "modules"."plan_id" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "modules"."id" = "tasks"."module_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "task_progress_select_own" ON "task_progress";--> statement-breakpoint
CREATE POLICY "task_progress_select_own" ON "task_progress" AS PERMISSIVE FOR SELECT TO public USING ("task_progress"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "task_progress_insert_own" ON "task_progress";--> statement-breakpoint
CREATE POLICY "task_progress_insert_own" ON "task_progress" AS PERMISSIVE FOR INSERT TO public WITH CHECK ("task_progress"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "task_progress_update_own" ON "task_progress";--> statement-breakpoint
CREATE POLICY "task_progress_update_own" ON "task_progress" AS PERMISSIVE FOR UPDATE TO public USING ("task_progress"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'))) WITH CHECK ("task_progress"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "task_progress_delete_own" ON "task_progress";--> statement-breakpoint
CREATE POLICY "task_progress_delete_own" ON "task_progress" AS PERMISSIVE FOR DELETE TO public USING ("task_progress"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "job_queue_select_own" ON "job_queue";--> statement-breakpoint
CREATE POLICY "job_queue_select_own" ON "job_queue" AS PERMISSIVE FOR SELECT TO public USING ("job_queue"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "job_queue_insert_own" ON "job_queue";--> statement-breakpoint
CREATE POLICY "job_queue_insert_own" ON "job_queue" AS PERMISSIVE FOR INSERT TO public WITH CHECK ("job_queue"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "generation_attempts_select_own" ON "generation_attempts";--> statement-breakpoint
CREATE POLICY "generation_attempts_select_own" ON "generation_attempts" AS PERMISSIVE FOR SELECT TO public USING (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "generation_attempts"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "generation_attempts_insert_own" ON "generation_attempts";--> statement-breakpoint
CREATE POLICY "generation_attempts_insert_own" ON "generation_attempts" AS PERMISSIVE FOR INSERT TO public WITH CHECK (EXISTS (SELECT 1 FROM "learning_plans" JOIN "users" ON "users"."id" = "learning_plans"."user_id" WHERE "learning_plans"."id" = "generation_attempts"."plan_id" AND "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "ai_usage_events_select_own" ON "ai_usage_events";--> statement-breakpoint
CREATE POLICY "ai_usage_events_select_own" ON "ai_usage_events" AS PERMISSIVE FOR SELECT TO public USING ("ai_usage_events"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "ai_usage_events_insert_own" ON "ai_usage_events";--> statement-breakpoint
CREATE POLICY "ai_usage_events_insert_own" ON "ai_usage_events" AS PERMISSIVE FOR INSERT TO public WITH CHECK ("ai_usage_events"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "usage_metrics_select_own" ON "usage_metrics";--> statement-breakpoint
CREATE POLICY "usage_metrics_select_own" ON "usage_metrics" AS PERMISSIVE FOR SELECT TO public USING ("usage_metrics"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "usage_metrics_insert_own" ON "usage_metrics";--> statement-breakpoint
CREATE POLICY "usage_metrics_insert_own" ON "usage_metrics" AS PERMISSIVE FOR INSERT TO public WITH CHECK ("usage_metrics"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
DROP POLICY IF EXISTS "usage_metrics_update_own" ON "usage_metrics";--> statement-breakpoint
CREATE POLICY "usage_metrics_update_own" ON "usage_metrics" AS PERMISSIVE FOR UPDATE TO public USING ("usage_metrics"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub'))) WITH CHECK ("usage_metrics"."user_id" IN (SELECT "users"."id" FROM "users" WHERE "users"."clerk_user_id" = (current_setting('request.jwt.claims', true)::json->>'sub')));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON TABLE "users" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "learning_plans" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "modules" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "tasks" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "task_progress" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT ON TABLE "job_queue" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT ON TABLE "generation_attempts" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT ON TABLE "ai_usage_events" TO "authenticated";--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON TABLE "usage_metrics" TO "authenticated";
