-- The persons with an escalation step in the period (`changes`: research/path_transitions) and
-- their chain: every case of theirs in path_steps (in scope, on the
-- ladder, up to the period's end), oldest first, with their latest place; person_token is what
-- views/petitioner_chain.sql selects a person by. The chain comes as two texts, `days`
-- ('2026-03-02,2026-05-11') and `ranks` (one letter a case: A = the lowest level of the ladder):
-- plain strings cross into Python ten times faster than a list of lists, and faster than one
-- row a case grouped in Python (research/paths.py builds the pairs). seq: the stored
-- (registered_on, case_id) order.
WITH changes AS ({changes})
SELECT
    any_value(s.petitioner_key) AS petitioner_key,
    md5(any_value(s.petitioner_key)) AS person_token,
    any_value(e.escalations) AS escalations,
    string_agg(strftime(s.registered_on, '%Y-%m-%d'), ',' ORDER BY s.seq) AS days,
    string_agg(chr(64 + s.level_rank), '' ORDER BY s.seq) AS ranks,
    max(s.registered_on) AS last_registered_on,
    arg_max(s.township, s.seq) AS township,
    arg_max(s.village, s.seq) AS village
FROM path_steps s
JOIN (SELECT person_id, count(*) AS escalations FROM changes WHERE is_escalation GROUP BY person_id) e
  ON s.person_id = e.person_id
GROUP BY s.person_id
ORDER BY escalations DESC, last_registered_on DESC, petitioner_key
