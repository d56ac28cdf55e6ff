-- The persons with an escalation step in the period and their chain of levels up to the
-- period's end, oldest first, as JSON [[date, level], …] (runs after `steps`, research/level_steps).
SELECT
    any_value(f.petitioner_key) AS petitioner_key,
    count(*) FILTER (WHERE s.in_period AND s.is_escalation) AS escalations,
    to_json(list([strftime(s.registered_on, '%Y-%m-%d'), s.level] ORDER BY s.registered_on, s.case_id))::VARCHAR AS chain,
    max(s.registered_on) AS last_registered_on,
    arg_max(s.township, (s.registered_on, s.case_id)) AS township,
    arg_max(s.village, (s.registered_on, s.case_id)) AS village
FROM steps s
JOIN case_facts f USING (case_id)
WHERE s.person_id IN (SELECT person_id FROM steps WHERE in_period AND is_escalation)
GROUP BY s.person_id
ORDER BY escalations DESC, last_registered_on DESC, petitioner_key
