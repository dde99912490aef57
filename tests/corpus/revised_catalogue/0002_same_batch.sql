ALTER TABLE "plans" VALIDATE CONSTRAINT "plans_module_fk";--> statement-breakpoint
ALTER TABLE "plans" ALTER COLUMN "status" SET DEFAULT 'pending';--> statement-breakpoint
DROP POLICY IF EXISTS "plans_never_created" ON "plans";--> statement-breakpoint
CREATE TEMP TABLE "staged" ("id" uuid);--> statement-breakpoint
MERGE INTO "plans" p USING "staged" s ON p."id" = s."id" WHEN MATCHED THEN UPDATE SET "topic" = 'x';--> statement-breakpoint
TRUNCATE "staged";--> statement-breakpoint
ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text COLLATE "C";--> statement-breakpoint
DROP OPERATOR IF EXISTS === (integer, integer);--> statement-breakpoint
DROP CAST IF EXISTS (text AS int4);
