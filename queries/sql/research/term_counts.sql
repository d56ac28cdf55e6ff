-- Cases per (period, township, term) among the scoped cases, and the scoped cases per
-- (period, township) as the row with term NULL (the denominators of share and G²).
SELECT s.period, s.township, t.term, count(*)::BIGINT AS cases
FROM scoped s
JOIN case_terms t ON t.case_id = s.case_id
    AND t.registered_on BETWEEN (SELECT min(p_from) FROM periods) AND (SELECT max(p_to) FROM periods)
GROUP BY ALL
UNION ALL
SELECT period, township, NULL, count(*) FROM scoped GROUP BY ALL
