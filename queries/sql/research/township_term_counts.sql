-- As term_counts.sql, per township: the per-township 新出现的问题.
SELECT coalesce(township, '') AS township, term,
       count(*) FILTER (WHERE registered_on BETWEEN $cur_from AND $cur_to) AS cases,
       count(*) FILTER (WHERE registered_on BETWEEN $prev_from AND $prev_to) AS prev_cases,
       count(*) FILTER (WHERE registered_on BETWEEN $yoy_from AND $yoy_to) AS yoy_cases
FROM case_terms f
WHERE registered_on BETWEEN $span_from AND $span_to
  AND in_scope(township, village, category, channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
  {groups_filter}
GROUP BY ALL
