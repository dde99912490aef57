-- Rollback of 0003_plan_schedules: dropping the table also drops its foreign key, index,
-- policies and grants. Cached schedules are lost; the app rebuilds them on demand.
DROP TABLE "plan_schedules";
