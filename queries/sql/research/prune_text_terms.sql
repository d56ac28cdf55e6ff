-- Drop the terms of the texts pruned from term_texts.
DELETE FROM text_terms WHERE text_id NOT IN (SELECT text_id FROM term_texts)
