-- The cases whose terms are (re)computed: one import batch, or all when $batch is null
-- (in registration order, so that case_terms is stored roughly by date and date ranges skip blocks).
SELECT case_id, registered_on, township, village, category, channel, summary
FROM cases
WHERE $batch::VARCHAR IS NULL OR import_batch = $batch::VARCHAR
ORDER BY registered_on, case_id
