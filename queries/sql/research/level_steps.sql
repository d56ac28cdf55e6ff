-- Each case in scope up to the period's end with a known level, with the same person's previous
-- case of a known level. Levels rank in the configured order ($levels: 村 < 镇 < 县 < 市 < 省 <
-- 京); a case whose level is blank or unknown has no place on the ladder and is left out. An
-- escalation step is a case at a higher level than the person's previous one, registered
-- within $repeat_window_days of it. This window over every case is most of the cost of `paths`
-- and `watch`, so it carries numbers only (a window sorts every column it carries: with the
-- place and key texts it cost three times as much at 1M cases). Same-day cases go in case_id
-- order, as in every fact (sql/case_facts.sql); `row`, the case's rowid in `cases`, fetches its
-- other texts where they are needed.
SELECT
    *,
    list_extract($levels::VARCHAR[], level_rank) AS level,
    list_extract($levels::VARCHAR[], prev_rank) AS prev_level,
    coalesce(level_rank > prev_rank AND registered_on - prev_on <= $repeat_window_days, false) AS is_escalation
FROM (
    SELECT
        person_id, case_id, row, registered_on, in_period, level_rank,
        lag(level_rank) OVER person AS prev_rank,
        lag(registered_on) OVER person AS prev_on
    FROM (
        SELECT f.person_id, f.case_id, f.rowid AS row, f.registered_on, f.registered_on >= p.p_from AS in_period,
               list_position($levels::VARCHAR[], f.level)::UTINYINT AS level_rank
        FROM cases f, periods p
        WHERE f.registered_on <= p.p_to AND list_contains($levels::VARCHAR[], f.level)
          AND {in_view}
    )
    WINDOW person AS (PARTITION BY person_id ORDER BY registered_on, case_id)
)
