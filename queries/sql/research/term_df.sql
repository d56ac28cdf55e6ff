-- In how many cases each term occurs (the idf of 相似来访), recounted after each refresh.
CREATE OR REPLACE TABLE term_df AS
SELECT term, count(*)::INTEGER AS df FROM case_terms GROUP BY term
