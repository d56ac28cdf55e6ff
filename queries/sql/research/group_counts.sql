-- Scoped cases per 诉求群体 now, in the preceding period and a year earlier.
SELECT g.grp,
       count(*) FILTER (WHERE f.registered_on BETWEEN $cur_from AND $cur_to) AS cases,
       count(*) FILTER (WHERE f.registered_on BETWEEN $prev_from AND $prev_to) AS prev_cases,
       count(*) FILTER (WHERE f.registered_on BETWEEN $yoy_from AND $yoy_to) AS yoy_cases
FROM case_facts f JOIN case_groups g ON g.case_id = f.case_id
WHERE f.registered_on BETWEEN $span_from AND $span_to
  AND in_scope(f.township, f.village, f.category, f.channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
  {groups_filter}
GROUP BY g.grp
