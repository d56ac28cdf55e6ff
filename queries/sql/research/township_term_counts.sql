-- Cases per (period, township, term) in scope: the per-township 新出现的问题.
SELECT p.period, coalesce(t.township, '') AS township, t.term, count(*)::BIGINT AS cases
FROM case_terms t
JOIN periods p ON t.registered_on BETWEEN p.p_from AND p.p_to
WHERE in_scope(t.township, t.village, t.category, t.channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
      {groups_filter}
GROUP BY ALL
