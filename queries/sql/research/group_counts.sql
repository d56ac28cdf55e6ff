-- Scoped cases per 诉求群体 now, in the preceding period and a year earlier (case_groups carries
-- the scope columns: no join).
SELECT grp,
       count(*) FILTER (WHERE registered_on BETWEEN $cur_from AND $cur_to) AS cases,
       count(*) FILTER (WHERE registered_on BETWEEN $prev_from AND $prev_to) AS prev_cases,
       count(*) FILTER (WHERE registered_on BETWEEN $yoy_from AND $yoy_to) AS yoy_cases
FROM case_groups f
WHERE registered_on BETWEEN $span_from AND $span_to
  AND {in_view}
GROUP BY grp
