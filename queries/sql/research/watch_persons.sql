-- 预警名单: per person, the facts each rule reads and the points it gives ([watch.rules]),
-- as of the period's as-of date; the period is the lookback (runs FROM base, every case in
-- scope up to the as-of date, after `steps`, research/level_steps). Only persons some rule
-- gives points to are returned.
SELECT
    *,
    skip_level_year_points + escalation_points + overdue_open_points + last_unsatisfied_points
        + key_person_points + repeat_recent_points + rebound_points AS score
FROM (
    SELECT
        p.*, coalesce(e.escalations, 0) AS escalations, e.last_step,
        least(skip_level_cases * $skip_level_year, $skip_level_year_max) AS skip_level_year_points,
        least(coalesce(e.escalations, 0) * $escalation, $escalation_max) AS escalation_points,
        CASE WHEN overdue_cases > 0 THEN $overdue_open ELSE 0 END AS overdue_open_points,
        CASE WHEN last_satisfaction = '不满意' THEN $last_unsatisfied ELSE 0 END AS last_unsatisfied_points,
        CASE WHEN is_key THEN $key_person ELSE 0 END AS key_person_points,
        CASE WHEN recent_cases >= $recent_min_cases THEN $repeat_recent ELSE 0 END AS repeat_recent_points,
        CASE WHEN rebound_cases > 0 THEN $rebound ELSE 0 END AS rebound_points
    FROM (
        SELECT
            petitioner_key,
            md5(petitioner_key) AS person_token,
            count(*) FILTER (WHERE in_period AND is_skip_level) AS skip_level_cases,
            count(*) FILTER (WHERE is_overdue) AS overdue_cases,
            arg_max(satisfaction, (closed_on, case_id)) FILTER (WHERE is_closed) AS last_satisfaction,
            coalesce(bool_or(key_person), false) AS is_key,
            count(*) FILTER (WHERE registered_on > p_as_of - $recent_days) AS recent_cases,
            count(*) FILTER (WHERE in_period AND first_settled_on < registered_on) AS rebound_cases,
            arg_max(case_id, (registered_on, case_id)) AS last_case,
            max(registered_on) AS last_registered_on,
            arg_max(level, (registered_on, case_id)) AS last_level,
            arg_max(township, (registered_on, case_id)) AS township,
            arg_max(village, (registered_on, case_id)) AS village
        FROM base
        GROUP BY petitioner_key
    ) p
    LEFT JOIN (
        SELECT petitioner_key, count(*) AS escalations,
               arg_max(prev_level || '→' || level, (registered_on, case_id)) AS last_step
        FROM steps WHERE in_period AND is_escalation
        GROUP BY petitioner_key
    ) e USING (petitioner_key)
)
WHERE score > 0
