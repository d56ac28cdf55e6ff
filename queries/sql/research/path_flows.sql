-- The Sankey of the period: persons and steps from each level to the next, over the period's
-- level changes (`changes`: research/path_transitions). Most persons first, then in the order
-- of the ladder ($levels).
WITH changes AS ({changes})
SELECT prev_level AS from_level, level AS to_level, count(DISTINCT person_id) AS persons, count(*) AS steps
FROM changes
GROUP BY prev_level, level
ORDER BY persons DESC, list_position($levels::VARCHAR[], prev_level), list_position($levels::VARCHAR[], level)
