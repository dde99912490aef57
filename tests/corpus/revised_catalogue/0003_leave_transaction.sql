COMMIT;--> statement-breakpoint
CREATE INDEX CONCURRENTLY "plans_status_idx" ON "plans" ("status");--> statement-breakpoint
REINDEX INDEX "plans_topic_idx";--> statement-breakpoint
ALTER TABLE "events" DETACH PARTITION "events_2023";--> statement-breakpoint
REINDEX (CONCURRENTLY) TABLE "plans"; SELECT 1;--> statement-breakpoint
DROP TABLESPACE IF EXISTS "fast"; SELECT 1;--> statement-breakpoint
DROP DATABASE IF EXISTS "atlaris_old";
