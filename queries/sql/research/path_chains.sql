-- The persons with an escalation step in the period and their chain of levels up to the
-- period's end, oldest first, as JSON [[date, level], …] (runs after `steps`, research/level_steps;
-- `seq` is the (registered_on, case_id) order). Keys are looked up for these persons only.
SELECT k.petitioner_key, c.* EXCLUDE (person_id)
FROM (
    SELECT
        s.person_id,
        any_value(e.escalations) AS escalations,
        to_json(list([strftime(s.registered_on, '%Y-%m-%d'), s.level] ORDER BY s.seq))::VARCHAR AS chain,
        max(s.registered_on) AS last_registered_on,
        arg_max(s.township, s.seq) AS township,
        arg_max(s.village, s.seq) AS village
    FROM steps s
    JOIN (SELECT person_id, count(*) AS escalations FROM steps WHERE in_period AND is_escalation
          GROUP BY person_id) e USING (person_id)
    GROUP BY s.person_id
) c
JOIN (SELECT person_id, any_value(petitioner_key) AS petitioner_key FROM case_facts
      WHERE person_id IN (SELECT person_id FROM steps WHERE in_period AND is_escalation)
      GROUP BY person_id) k USING (person_id)
ORDER BY escalations DESC, last_registered_on DESC, petitioner_key
