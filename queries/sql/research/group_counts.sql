-- Scoped cases per (period, 诉求群体).
SELECT s.period, g.grp, count(*)::BIGINT AS cases
FROM scoped s JOIN case_groups g ON g.case_id = s.case_id
GROUP BY ALL
