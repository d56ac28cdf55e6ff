-- Drop the distinct texts no case carries any more (after a re-import or a deletion of cases).
DELETE FROM term_texts WHERE text_id NOT IN (SELECT text_id FROM case_texts)
