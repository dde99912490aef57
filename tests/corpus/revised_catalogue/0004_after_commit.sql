CREATE INDEX CONCURRENTLY "modules_id_idx" ON "modules" ("id");--> statement-breakpoint
ALTER TABLE "events" DETACH PARTITION "events_2024" CONCURRENTLY;--> statement-breakpoint
CREATE TABLE "scratch" ("id" uuid);--> statement-breakpoint
DELETE FROM "scratch";--> statement-breakpoint
DROP POLICY "plans_owner_read" ON "plans";--> statement-breakpoint
DROP TABLE "plans";--> statement-breakpoint
BEGIN;--> statement-breakpoint
REINDEX SCHEMA "public";--> statement-breakpoint
COMMIT;
