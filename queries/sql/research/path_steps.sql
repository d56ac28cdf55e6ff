-- The escalation steps of the period, one row each (runs after `steps`, research/level_steps).
SELECT petitioner_key, case_id, registered_on, township, village, category, prev_level, level
FROM steps
WHERE in_period AND is_escalation
ORDER BY registered_on, case_id
