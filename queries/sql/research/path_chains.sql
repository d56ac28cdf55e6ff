-- The persons with an escalation step in the period (`changes`: research/path_transitions) and
-- their chain: every case of theirs in path_steps (in scope, on the ladder, up to the period's
-- end), oldest first, with the key and place of their latest case (`cases` by its rowid,
-- row); person_token is what views/petitioner_chain.sql selects a person by. The chain comes as
-- two texts, `days` ('2026-03-02,2026-05-11') and `ranks` (one letter a case: A = the lowest
-- level of the ladder): plain strings cross into Python ten times faster than a list of lists,
-- and faster than one row a case grouped in Python (research/paths.py builds the pairs).
WITH changes AS ({changes}), chains AS (
    SELECT
        s.person_id,
        any_value(e.escalations) AS escalations,
        string_agg(strftime(s.registered_on, '%Y-%m-%d'), ',' ORDER BY s.registered_on, s.case_id) AS days,
        string_agg(chr(64 + s.level_rank), '' ORDER BY s.registered_on, s.case_id) AS ranks,
        arg_max(s.row, (s.registered_on, s.case_id)) AS last_row
    FROM path_steps s
    JOIN (SELECT person_id, count(*) AS escalations FROM changes WHERE is_escalation GROUP BY person_id) e
      ON s.person_id = e.person_id
    GROUP BY s.person_id
)
SELECT
    f.petitioner_key, md5(f.petitioner_key) AS person_token, c.escalations, c.days, c.ranks,
    f.registered_on AS last_registered_on, f.township, f.village
FROM chains c
JOIN cases f ON f.rowid = c.last_row
ORDER BY c.escalations DESC, last_registered_on DESC, f.petitioner_key
