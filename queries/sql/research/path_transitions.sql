-- The level changes of the period within the window, one row each: flows between levels and,
-- where the level rose, escalation steps (reads research/path_steps).
SELECT person_id, case_id, registered_on, township, village, category, prev_level, level, is_escalation
FROM path_steps
WHERE in_period AND level <> prev_level AND registered_on - prev_on <= $repeat_window_days
