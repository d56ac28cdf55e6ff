-- Forget which text the cases about to be recomputed carry (a re-imported case's old text).
DELETE FROM case_texts
WHERE $batch::VARCHAR IS NULL
   OR case_id IN (SELECT case_id FROM cases WHERE import_batch = $batch::VARCHAR)
