-- Flows between levels in the period: a person's case registered in the period at another
-- level than their previous case, within the window (runs after `steps`, research/level_steps).
SELECT prev_level AS from_level, level AS to_level,
       count(DISTINCT petitioner_key) AS persons, count(*) AS steps
FROM steps
WHERE in_period AND level <> prev_level AND registered_on - prev_on <= $repeat_window_days
GROUP BY ALL
ORDER BY persons DESC, from_level, to_level
