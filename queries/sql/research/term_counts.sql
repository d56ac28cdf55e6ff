-- Cases per term in scope, now (cur_from..cur_to), in the preceding period (prev_) and a year
-- earlier (yoy_). case_texts carries the scope columns, so the cases of the periods' span are
-- counted per distinct text in one scan, and only those counts are spread over the text's terms.
-- The view's filters (sql/in_view.sql) include 责任单位 and 诉求群体.
WITH texts AS (
    SELECT text_id,
           count(*) FILTER (WHERE registered_on BETWEEN $cur_from AND $cur_to) AS cases,
           count(*) FILTER (WHERE registered_on BETWEEN $prev_from AND $prev_to) AS prev_cases,
           count(*) FILTER (WHERE registered_on BETWEEN $yoy_from AND $yoy_to) AS yoy_cases
    FROM case_texts f
    WHERE registered_on BETWEEN $span_from AND $span_to
      AND {in_view}
    GROUP BY text_id
)
SELECT t.term, sum(x.cases)::BIGINT AS cases, sum(x.prev_cases)::BIGINT AS prev_cases,
       sum(x.yoy_cases)::BIGINT AS yoy_cases
FROM texts x JOIN text_terms t USING (text_id)
GROUP BY t.term
