-- Days from a person's first case to their first case at a high level ($high_levels: 市, 省,
-- 京), for the persons who reached such a level for the first time in the period (runs FROM base).
SELECT
    petitioner_key,
    min(registered_on) AS first_on,
    min(registered_on) FILTER (WHERE list_contains($high_levels::VARCHAR[], level)) AS first_high_on,
    first_high_on - first_on AS days
FROM base
GROUP BY petitioner_key
HAVING first_high_on >= any_value(p_from)
ORDER BY days, petitioner_key
