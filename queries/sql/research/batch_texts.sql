-- The distinct 信访事由 of one import batch (of every case when $batch is null), with the id of
-- the text when it was segmented before (null: new, to be cut).
SELECT s.summary, t.text_id
FROM (SELECT DISTINCT summary FROM cases
      WHERE summary IS NOT NULL AND ($batch::VARCHAR IS NULL OR import_batch = $batch::VARCHAR)) s
LEFT JOIN term_texts t USING (summary)
