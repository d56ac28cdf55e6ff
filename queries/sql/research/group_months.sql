-- Scoped cases per (month, 诉求群体) for the registered relation `periods` (one row a month).
SELECT p.period AS month, g.grp, count(*)::BIGINT AS cases
FROM case_facts f
JOIN periods p ON f.registered_on BETWEEN p.p_from AND p.p_to
JOIN case_groups g ON g.case_id = f.case_id
WHERE in_scope(f.township, f.village, f.category, f.channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
  {groups_filter}
GROUP BY ALL
