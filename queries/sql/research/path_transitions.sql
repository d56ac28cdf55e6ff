-- The level changes of the period within the window, one row each: flows between levels and,
-- where the level rose, escalation steps (reads research/path_steps; the case's place from
-- `cases` by its rowid, row).
SELECT s.person_id, s.case_id, s.registered_on, f.township, f.village, f.category, s.prev_level, s.level,
       s.is_escalation
FROM path_steps s
JOIN cases f ON f.rowid = s.row
WHERE s.in_period AND s.level_rank <> s.prev_rank AND s.registered_on - s.prev_on <= $repeat_window_days
ORDER BY s.registered_on, s.case_id
