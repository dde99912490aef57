ALTER TABLE "plans" ADD CONSTRAINT "plans_module_fk" FOREIGN KEY ("module_id") REFERENCES "modules"("id") NOT VALID;--> statement-breakpoint
ALTER TABLE "plans" ALTER COLUMN "status" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "prefs" jsonb DEFAULT plan_defaults();--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "token" text DEFAULT my_token();--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "seen_at" timestamptz DEFAULT now();
