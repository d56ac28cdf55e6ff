-- The persons with an escalation step in the period and their chain of levels up to the
-- period's end, oldest first (runs after `steps`, research/level_steps).
SELECT
    petitioner_key,
    md5(petitioner_key) AS person_token,
    count(*) FILTER (WHERE in_period AND is_escalation) AS escalations,
    list([strftime(registered_on, '%Y-%m-%d'), level] ORDER BY registered_on, case_id) AS chain,
    max(registered_on) AS last_registered_on,
    arg_max(township, (registered_on, case_id)) AS township,
    arg_max(village, (registered_on, case_id)) AS village
FROM steps
GROUP BY petitioner_key
HAVING bool_or(in_period AND is_escalation)
ORDER BY escalations DESC, last_registered_on DESC, petitioner_key
