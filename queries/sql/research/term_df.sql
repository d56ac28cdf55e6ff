-- In how many cases each term occurs (the idf of 相似来访), and whether it is a place or unit
-- name of the database (a token of the text, but where, not what: left out of 热点诉求).
-- Recounted after each refresh.
CREATE OR REPLACE TABLE term_df AS
WITH places AS (
    SELECT township AS word FROM cases
    UNION SELECT village FROM cases
    UNION SELECT responsible_unit FROM cases
)
SELECT term, count(*)::INTEGER AS df, term IN (SELECT word FROM places WHERE word IS NOT NULL) AS is_place
FROM case_terms GROUP BY term
