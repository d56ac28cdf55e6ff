-- Drop the stored groups of the cases about to be recomputed.
DELETE FROM case_groups
WHERE $batch::VARCHAR IS NULL
   OR case_id IN (SELECT case_id FROM cases WHERE import_batch = $batch::VARCHAR)
