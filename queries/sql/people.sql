-- One row per petitioner, period and group, for the metrics that count people rather than
-- cases (key persons, skip-level petitioners, rebounds). the grouping columns are filled in by the caller.
SELECT
    period, {group} person_id,
    coalesce(bool_or(key_person), false) AS is_key,
    bool_or(in_period AND is_skip_level) AS skipped_in_period,
    bool_or(in_period AND first_settled_on < registered_on) AS rebounded_in_period
FROM base
WHERE key_person OR (in_period AND (is_skip_level OR first_settled_on < registered_on))
GROUP BY ALL
