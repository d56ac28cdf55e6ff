-- The chains of the persons in `escalated` (person_id, escalations: registered by the caller
-- from the period's escalation steps): their cases in scope on the ladder up to the period's
-- end, oldest first, as JSON [[date, level], …], with their latest place. No window here: the
-- steps were found once, by research/path_transitions.
SELECT
    any_value(f.petitioner_key) AS petitioner_key,
    any_value(e.escalations) AS escalations,
    to_json(list([strftime(f.registered_on, '%Y-%m-%d'), f.level] ORDER BY f.rowid))::VARCHAR AS chain,  -- rowid: the stored (registered_on, case_id) order
    max(f.registered_on) AS last_registered_on,
    arg_max(f.township, f.rowid) AS township,
    arg_max(f.village, f.rowid) AS village
FROM case_facts f
JOIN escalated e ON f.person_id = e.person_id
JOIN periods p ON f.registered_on <= p.p_to
WHERE list_contains($levels::VARCHAR[], f.level)
  AND in_scope(f.township, f.village, f.category, f.channel,
      $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
GROUP BY f.person_id
ORDER BY escalations DESC, last_registered_on DESC, petitioner_key
