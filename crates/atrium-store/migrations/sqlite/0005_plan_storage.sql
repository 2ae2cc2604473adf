-- PostgreSQL-only storage tuning of plans.body (see the PostgreSQL migration); nothing to do
-- in SQLite. The file keeps both backends' migration lists in step.
SELECT 1;
