-- Days from a person's first case to their first case at a high level ($high_levels: 市, 省,
-- 京), for the persons in scope who reached such a level for the first time in the period.
SELECT
    min(f.registered_on) AS first_on,
    min(f.registered_on) FILTER (WHERE list_contains($high_levels::VARCHAR[], f.level)) AS first_high_on,
    first_high_on - first_on AS days
FROM case_facts f, periods p
WHERE f.registered_on <= p.p_to
  AND {in_view}
GROUP BY f.person_id
HAVING first_high_on >= any_value(p.p_from)
ORDER BY days
