-- The API accepts 0 to 80 weekly hours; enforce the upper bound in the database too.
-- On an existing table the CHECK is added NOT VALID: new and updated rows are checked at once,
-- but existing rows are not scanned, so the statement holds its lock only for a moment.
-- 0005 validates it in a later release (VALIDATE scans without blocking reads or writes).
DO $$ BEGIN
 ALTER TABLE "learning_plans" ADD CONSTRAINT "learning_plans_weekly_hours_max" CHECK ("weekly_hours" <= 80) NOT VALID;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
