-- Rollback of 0002_subscription_status_unpaid. Postgres cannot remove a value from an enum, so the
-- type is rebuilt with its original values in their original order and the one column using it
-- (users.subscription_status, nullable, no default, not indexed) is moved over. This rewrites
-- "users". It refuses while any row still holds the added value: move those rows first.
DO $$ BEGIN
 IF EXISTS (SELECT 1 FROM "users" WHERE "subscription_status"::text = 'unpaid') THEN
  RAISE EXCEPTION 'cannot roll back 0002: some users rows have subscription_status unpaid; set them to another status first';
 END IF;
END $$;
--> statement-breakpoint
ALTER TYPE "public"."subscription_status" RENAME TO "subscription_status_pre_0002";--> statement-breakpoint
CREATE TYPE "public"."subscription_status" AS ENUM('active', 'canceled', 'past_due', 'trialing');--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "subscription_status" SET DATA TYPE "public"."subscription_status" USING "subscription_status"::text::"public"."subscription_status";--> statement-breakpoint
DROP TYPE "public"."subscription_status_pre_0002";
