-- How many cases one import batch has (every case when $batch is null).
SELECT count(*) FROM cases WHERE $batch::VARCHAR IS NULL OR import_batch = $batch::VARCHAR
