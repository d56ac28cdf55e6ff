-- Store the terms of a batch: `new_terms` (position, term, tf, doc_len) and `batch_cases` (the
-- batch's cases with their position) are registered by queries/research/terms.py.
INSERT INTO case_terms BY NAME
SELECT c.case_id, c.registered_on, c.township, c.village, c.category, c.channel, t.term, t.tf, t.doc_len
FROM new_terms t JOIN batch_cases c ON c.position = t.position
ORDER BY c.position
