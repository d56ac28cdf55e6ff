-- The scoped cases of each township now, in the preceding period and a year earlier: the
-- denominators of share and G² (the scorecard's 信访总量 of those periods).
SELECT coalesce(township, '') AS township,
       count(*) FILTER (WHERE registered_on BETWEEN $cur_from AND $cur_to) AS n,
       count(*) FILTER (WHERE registered_on BETWEEN $prev_from AND $prev_to) AS prev_n,
       count(*) FILTER (WHERE registered_on BETWEEN $yoy_from AND $yoy_to) AS yoy_n
FROM case_facts f
WHERE registered_on BETWEEN $span_from AND $span_to
  AND {in_view}
GROUP BY ALL
