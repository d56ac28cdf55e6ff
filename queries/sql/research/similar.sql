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
           sum(w.idf * t.tf * ($k1 + 1) / (t.tf + $k1 * (1 - $b + $b * t.doc_len / w.avgdl))) AS score
    FROM case_terms t JOIN weights w USING (term)
    WHERE t.case_id <> $case_id AND t.registered_on <= w.registered_on
    GROUP BY t.case_id
)
SELECT c.case_id, c.registered_on, c.township, c.village, c.category, c.summary, c.handling,
       c.responsible_unit, c.closed_on, c.resolution, c.satisfaction,
       least(s.score / self.score, 1.0) AS score
FROM scored s JOIN cases c USING (case_id), self
WHERE in_places(c.township, c.village, $townships::VARCHAR[], $villages::VARCHAR[])
ORDER BY score DESC, c.registered_on DESC, c.case_id
LIMIT $top
