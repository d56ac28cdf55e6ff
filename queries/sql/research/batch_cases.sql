-- The cases whose terms are (re)computed: one import batch, or all when $batch is null.
SELECT case_id, registered_on, summary
FROM cases
WHERE $batch::VARCHAR IS NULL OR import_batch = $batch::VARCHAR
