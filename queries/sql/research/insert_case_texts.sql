-- Record the text of each case of a batch (every case when $batch is null) with its date and
-- scope columns, in registration order so that date ranges skip blocks. A case without a
-- 信访事由 has no row.
INSERT INTO case_texts BY NAME
SELECT c.case_id, t.text_id, c.registered_on, c.township, c.village, c.category, c.channel
FROM cases c JOIN term_texts t USING (summary)
WHERE $batch::VARCHAR IS NULL OR c.import_batch = $batch::VARCHAR
ORDER BY c.registered_on, c.case_id
