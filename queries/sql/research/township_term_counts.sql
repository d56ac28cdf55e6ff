-- As term_counts.sql, per township: the per-township 新出现的问题.
WITH texts AS (
    SELECT coalesce(township, '') AS township, text_id,
           count(*) FILTER (WHERE registered_on BETWEEN $cur_from AND $cur_to) AS cases,
           count(*) FILTER (WHERE registered_on BETWEEN $prev_from AND $prev_to) AS prev_cases,
           count(*) FILTER (WHERE registered_on BETWEEN $yoy_from AND $yoy_to) AS yoy_cases
    FROM case_texts f
    WHERE registered_on BETWEEN $span_from AND $span_to
      AND {in_view}
    GROUP BY ALL
)
SELECT x.township, t.term, sum(x.cases)::BIGINT AS cases, sum(x.prev_cases)::BIGINT AS prev_cases,
       sum(x.yoy_cases)::BIGINT AS yoy_cases
FROM texts x JOIN text_terms t USING (text_id)
GROUP BY ALL
