-- Store the 诉求群体 of a batch's cases: `new_groups` (text_id, grp: the groups of each of the
-- batch's distinct texts) is registered by queries/ingest/terms.py.
INSERT INTO case_groups BY NAME
SELECT c.case_id, g.grp, c.registered_on, c.township, c.village, c.category, c.channel
FROM case_texts c JOIN new_groups g USING (text_id)
WHERE $batch::VARCHAR IS NULL
   OR c.case_id IN (SELECT case_id FROM cases WHERE import_batch = $batch::VARCHAR)
