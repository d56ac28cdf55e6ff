-- Per-case facts that do not depend on the as-of date (METRICS.md "Derived per case"), of the
-- cases given by the caller (all cases, or every case of the persons an import touched: db.refresh_facts)
-- whose person passes the persons filter.
-- A case's facts depend only on the cases of the same petitioner_key. Only the facts come out
-- (case_id, petitioner_key and the derived columns): db.refresh_facts writes them onto the cases'
-- own fact columns (schema.sql), so that the windows carry only the columns they read (a window
-- holds every column it carries: the cases' texts would not fit in the import's memory at
-- 10,000,000 cases).
WITH keyed AS (
    SELECT
        case_id, registered_on, channel, petitioner_name, persons, township, village, category, level,
        closed_on, resolution,
        upper(regexp_replace(coalesce(petitioner_idno, ''), '[\s\p{Z}\x{0B}\x{1C}-\x{1F}\x{85}]', '', 'g')) AS idno_compact
    FROM {cases} c
), widened AS (
    -- a 15-digit ID number is the 18-character one of the same person: "19" after the 6-digit
    -- area code, then the GB 11643 check character (METRICS.md petitioner_key)
    SELECT
        * EXCLUDE (idno_compact),
        CASE WHEN regexp_full_match(idno_compact, '[0-9]{15}')
            THEN substr(idno_compact, 1, 6) || '19' || substr(idno_compact, 7, 9)
        END AS id_body,
        CASE WHEN id_body IS NULL THEN idno_compact
            ELSE id_body || substr('10X98765432', 1 + list_sum(
                [(ascii(substr(id_body, i, 1)) - 48) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i]
                 FOR i IN range(1, 18)])::BIGINT % 11, 1)
        END AS idno_compact
    FROM keyed
), persons AS (
    SELECT
        * EXCLUDE (idno_compact, id_body),
        CASE
            WHEN length(idno_compact) IN (15, 18) THEN idno_compact
            WHEN nullif(trim(petitioner_name), '') IS NOT NULL
                THEN petitioner_name || '|' || coalesce(township, '') || '|' || coalesce(village, '')
            ELSE case_id
        END AS petitioner_key
    FROM widened
), facts AS (
    SELECT
        case_id,
        petitioner_key,
        hash(petitioner_key) AS person_id,  -- for fast distinct counts of petitioners
        coalesce(registered_on - lag(registered_on) OVER same_matter <= $repeat_window_days, false) AS is_repeat,
        -- the next case of the same person and category: decides 一次性化解 (METRICS.md 四升)
        lead(registered_on) OVER same_matter AS next_same_matter_on,
        coalesce(channel = '来访' AND list_contains($skip_levels::VARCHAR[], level), false) AS is_skip_level,
        coalesce(channel = '来访' AND persons >= $collective_min, false) AS is_collective,
        -- the earliest settlement of this person: a later case is a 反弹 (METRICS.md 五不)
        min(closed_on) FILTER (WHERE resolution = '已化解') OVER (PARTITION BY petitioner_key) AS first_settled_on
    FROM persons
    WHERE {persons_filter}   -- which persons: all (true), or one hash part of them (db.refresh_facts)
    WINDOW same_matter AS (PARTITION BY petitioner_key, category ORDER BY registered_on, case_id)
)
SELECT * FROM facts
