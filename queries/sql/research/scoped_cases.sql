-- The cases in scope registered in each period of the registered relation `periods`
-- (period, p_from, p_to, p_as_of); the scope filter of METRICS.md plus the 诉求群体 filter
-- ({groups_filter}, empty without one).
SELECT p.period, f.case_id, f.township
FROM case_facts f
JOIN periods p ON f.registered_on BETWEEN p.p_from AND p.p_to
WHERE in_scope(f.township, f.village, f.category, f.channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
      {groups_filter}
