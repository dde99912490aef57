-- Rollback of 0000_initial_schema: removes every object 0000 creates, children before parents,
-- then the enum types. Dropping a table also drops its policies, grants, indexes and constraints.
-- All data in these tables is lost: run it only on a scratch database or a fresh branch.
DROP TABLE "usage_metrics";--> statement-breakpoint
DROP TABLE "ai_usage_events";--> statement-breakpoint
DROP TABLE "generation_attempts";--> statement-breakpoint
DROP TABLE "job_queue";--> statement-breakpoint
DROP TABLE "task_progress";--> statement-breakpoint
DROP TABLE "tasks";--> statement-breakpoint
DROP TABLE "modules";--> statement-breakpoint
DROP TABLE "learning_plans";--> statement-breakpoint
DROP TABLE "users";--> statement-breakpoint
DROP TYPE "public"."integration_provider";--> statement-breakpoint
DROP TYPE "public"."resource_type";--> statement-breakpoint
DROP TYPE "public"."progress_status";--> statement-breakpoint
DROP TYPE "public"."subscription_status";--> statement-breakpoint
DROP TYPE "public"."subscription_tier";--> statement-breakpoint
DROP TYPE "public"."job_type";--> statement-breakpoint
DROP TYPE "public"."job_status";--> statement-breakpoint
DROP TYPE "public"."generation_status";--> statement-breakpoint
DROP TYPE "public"."learning_style";--> statement-breakpoint
DROP TYPE "public"."skill_level";
