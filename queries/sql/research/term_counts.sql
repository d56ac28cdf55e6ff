-- Cases per term in scope, now (cur_from..cur_to), in the preceding period (prev_) and a year
-- earlier (yoy_): case_terms carries the scope columns, so this is one scan of the periods' span.
-- {groups_filter} is the 诉求群体 filter (empty without one).
SELECT term,
       count(*) FILTER (WHERE registered_on BETWEEN $cur_from AND $cur_to) AS cases,
       count(*) FILTER (WHERE registered_on BETWEEN $prev_from AND $prev_to) AS prev_cases,
       count(*) FILTER (WHERE registered_on BETWEEN $yoy_from AND $yoy_to) AS yoy_cases
FROM case_terms f
WHERE registered_on BETWEEN $span_from AND $span_to
  AND in_scope(township, village, category, channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
  {groups_filter}
GROUP BY term
