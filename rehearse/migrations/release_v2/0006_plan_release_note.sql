-- Release v2 of the rehearsal's example app: a nullable column no running code reads yet, which
-- every release can live with (expand step).
ALTER TABLE "learning_plans" ADD COLUMN "release_note" text;
