-- In how many cases each term occurs (the idf of 相似来访), and whether it is a place or unit
-- name of the database (a token of the text, but where, not what: left out of 热点诉求).
-- Recounted after each refresh from the per-text terms and how many cases carry each text.
CREATE OR REPLACE TABLE term_df AS
WITH places AS (
    SELECT township AS word FROM cases
    UNION SELECT village FROM cases
    UNION SELECT responsible_unit FROM cases
), carried AS (
    SELECT text_id, count(*) AS cases FROM case_texts GROUP BY text_id
)
SELECT term, sum(c.cases)::INTEGER AS df, term IN (SELECT word FROM places WHERE word IS NOT NULL) AS is_place
FROM text_terms t JOIN carried c USING (text_id) GROUP BY term
