-- Stripe can report a subscription as unpaid; add that status to the enum.
-- Adding an enum value (appended after the existing ones) is catalogue-only and safe for running
-- code. Postgres 12+ accepts ADD VALUE inside Drizzle's transaction, but the new value cannot be
-- used before that transaction commits, so nothing in this file (nor in any migration that may be
-- applied in the same batch) writes it. The application starts writing it in a later release.
ALTER TYPE "public"."subscription_status" ADD VALUE IF NOT EXISTS 'unpaid';
