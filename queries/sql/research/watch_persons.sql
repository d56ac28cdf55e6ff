-- 预警名单: per person, the facts each rule reads and the points it gives ([watch.rules]),
-- as of the period's as-of date; the period is the lookback (runs FROM base, every case in
-- scope up to the as-of date, after `steps`, research/level_steps). The persons scoring at
-- least $min_score, highest first (ties: latest case first), at most $top; `listed` counts all
-- who reach $min_score. Their last case's details come from research/watch_last_cases.
-- Follows base_query's `WITH base AS (…)`: `steps` is research/level_steps over the same cases.
, steps AS ({steps})
SELECT
    * EXCLUDE (person_id),
    md5(petitioner_key) AS person_token,
    count(*) OVER () AS listed,
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
            person_id,
            any_value(petitioner_key) AS petitioner_key,
            count(*) FILTER (WHERE in_period AND is_skip_level) AS skip_level_cases,
            count(*) FILTER (WHERE is_overdue) AS overdue_cases,
            -- the last closed case's evaluation; on a tie of closing days 不满意 wins (a cheap
            -- numeric key: days since 1970, doubled, plus one for 不满意)
            arg_max(satisfaction, (closed_on - DATE '1970-01-01') * 2 + (satisfaction = '不满意')::INT)
                FILTER (WHERE is_closed) AS last_satisfaction,
            coalesce(bool_or(key_person), false) AS is_key,
            count(*) FILTER (WHERE registered_on > p_as_of - $recent_days) AS recent_cases,
            count(*) FILTER (WHERE in_period AND first_settled_on < registered_on) AS rebound_cases,
            max(registered_on) AS last_registered_on
        FROM base
        GROUP BY person_id
    ) p
    LEFT JOIN (
        SELECT person_id, count(*) AS escalations,
               arg_max(prev_level || '→' || level, (registered_on, case_id)) AS last_step
        FROM steps WHERE in_period AND is_escalation
        GROUP BY person_id
    ) e USING (person_id)
)
WHERE score >= $min_score
ORDER BY score DESC, last_registered_on DESC, petitioner_key
LIMIT $top
