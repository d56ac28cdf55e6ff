-- Each case of a known level, with the same person's previous case of a known level (runs
-- FROM base: the cases in scope up to the period's end). Levels rank in the configured order
-- ($levels: 村 < 镇 < 县 < 市 < 省 < 京); a case whose level is blank or unknown has no place on
-- the ladder and is left out. An escalation step is a case at a higher level than the
-- person's previous one, registered within $repeat_window_days of it.
SELECT
    *,
    coalesce(level_rank > prev_rank AND registered_on - prev_on <= $repeat_window_days, false) AS is_escalation
FROM (
    SELECT
        petitioner_key, case_id, registered_on, in_period, township, village, category, level, level_rank,
        lag(level) OVER person AS prev_level,
        lag(level_rank) OVER person AS prev_rank,
        lag(registered_on) OVER person AS prev_on
    FROM (SELECT *, list_position($levels::VARCHAR[], level) AS level_rank FROM base
          WHERE list_contains($levels::VARCHAR[], level))
    WINDOW person AS (PARTITION BY petitioner_key ORDER BY registered_on, case_id)
)
