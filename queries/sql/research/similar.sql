-- 相似来访: the earlier cases (registered on or before the case, in the places of the scope)
-- that share terms with case $case_id, scored by BM25 (k1 = $k1, b = $b) over case_terms and
-- divided by the case's score against itself, so 1 means "says the same" (capped at 1).
WITH query_terms AS (
    SELECT term, tf, doc_len, registered_on FROM case_terms WHERE case_id = $case_id
), corpus AS (
    SELECT count(*)::DOUBLE AS n, (SELECT sum(tf) FROM case_terms)::DOUBLE / greatest(count(*), 1) AS avgdl
    FROM cases
), weights AS (
    SELECT q.term, q.tf, q.doc_len, q.registered_on,
           ln(1 + (c.n - d.df + 0.5) / (d.df + 0.5)) AS idf, c.avgdl
    FROM query_terms q JOIN term_df d USING (term), corpus c
), self AS (
    SELECT sum(idf * tf * ($k1 + 1) / (tf + $k1 * (1 - $b + $b * doc_len / avgdl))) AS score FROM weights
), scored AS (
    SELECT t.case_id,
           sum(w.idf * t.tf * ($k1 + 1) / (t.tf + $k1 * (1 - $b + $b * t.doc_len / w.avgdl))) AS score,
           any_value(t.registered_on) AS registered_on
    FROM case_terms t JOIN weights w USING (term)
    WHERE t.case_id <> $case_id AND t.registered_on <= w.registered_on
      AND in_places(t.township, t.village, $townships::VARCHAR[], $villages::VARCHAR[])
    GROUP BY t.case_id
), best AS (   -- the top cases first: only they are joined with their details
    SELECT s.case_id, least(s.score / self.score, 1.0) AS score, s.registered_on
    FROM scored s, self
    ORDER BY score DESC, s.registered_on DESC, s.case_id
    LIMIT $top
)
SELECT c.case_id, c.registered_on, c.township, c.village, c.category, c.summary, c.handling,
       c.responsible_unit, c.closed_on, c.resolution, c.satisfaction, b.score
FROM best b JOIN cases c USING (case_id)
ORDER BY b.score DESC, c.registered_on DESC, c.case_id
