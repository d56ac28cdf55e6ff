-- Scoped cases per (month, 诉求群体) for the registered relation `periods` (one row a month).
SELECT p.period AS month, f.grp, count(*)::BIGINT AS cases
FROM case_groups f
JOIN periods p ON f.registered_on BETWEEN p.p_from AND p.p_to
WHERE {in_view}
GROUP BY ALL
