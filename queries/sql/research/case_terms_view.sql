-- One row per case and term of its 信访事由 (what case_terms stored before terms were kept per
-- distinct text): for reading a case's terms, not for counting at scale.
CREATE OR REPLACE VIEW case_terms AS
SELECT c.case_id, c.registered_on, c.township, c.village, c.category, c.channel, t.term, t.tf, t.doc_len
FROM case_texts c JOIN text_terms t USING (text_id)
