-- Drop the stored terms of the cases about to be recomputed (a re-imported case's old terms).
DELETE FROM case_terms
WHERE $batch::VARCHAR IS NULL
   OR case_id IN (SELECT case_id FROM cases WHERE import_batch = $batch::VARCHAR)
