-- Cases per (period, term) in scope: case_terms carries the scope columns, so this is one scan
-- of the periods' date range. {groups_filter} is the 诉求群体 filter (empty without one).
SELECT p.period, t.term, count(*)::BIGINT AS cases
FROM case_terms t
JOIN periods p ON t.registered_on BETWEEN p.p_from AND p.p_to
WHERE in_scope(t.township, t.village, t.category, t.channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
      {groups_filter}
GROUP BY ALL
