-- 相似来访: the earlier cases (registered on or before the case, in the places of the scope)
-- that share terms with case $case_id, scored by BM25 (k1 = $k1, b = $b) and divided by the
-- case's score against itself, so 1 means "says the same" (capped at 1). A score depends on the
-- text only: each distinct text sharing a term is scored once, then given to the cases carrying it.
WITH query_case AS (
    SELECT text_id, registered_on FROM case_texts WHERE case_id = $case_id
), query_terms AS (
    SELECT t.term, t.tf, t.doc_len, q.registered_on FROM query_case q JOIN text_terms t USING (text_id)
), corpus AS (   -- avgdl: all term occurrences of all cases per case
    SELECT count(*)::DOUBLE AS n,
           (SELECT sum(x.doc_len) FROM case_texts c JOIN term_texts x USING (text_id))::DOUBLE
               / greatest(count(*), 1) AS avgdl
    FROM cases
), weights AS (
    SELECT q.term, q.tf, q.doc_len, q.registered_on,
           ln(1 + (c.n - d.df + 0.5) / (d.df + 0.5)) AS idf, c.avgdl
    FROM query_terms q JOIN term_df d USING (term), corpus c
), self AS (
    SELECT sum(idf * tf * ($k1 + 1) / (tf + $k1 * (1 - $b + $b * doc_len / avgdl))) AS score FROM weights
), text_scores AS (
    SELECT t.text_id,
           sum(w.idf * t.tf * ($k1 + 1) / (t.tf + $k1 * (1 - $b + $b * t.doc_len / w.avgdl))) AS score
    FROM text_terms t JOIN weights w USING (term)
    GROUP BY t.text_id
), best AS (   -- the top cases first: only they are joined with their details
    SELECT c.case_id, least(s.score / self.score, 1.0) AS score, c.registered_on
    FROM case_texts c JOIN text_scores s USING (text_id), query_case q, self
    WHERE c.case_id <> $case_id AND c.registered_on <= q.registered_on
      AND in_places(c.township, c.village, $townships::VARCHAR[], $villages::VARCHAR[])
    ORDER BY score DESC, c.registered_on DESC, c.case_id
    LIMIT $top
)
SELECT c.case_id, c.registered_on, c.township, c.village, c.category, c.summary, c.handling,
       c.responsible_unit, c.closed_on, c.resolution, c.satisfaction, a.answer, b.score
FROM best b JOIN cases c USING (case_id) LEFT JOIN case_answers a USING (case_id)
ORDER BY b.score DESC, c.registered_on DESC, c.case_id
