-- One row per petitioner who is a key person or had a skip-level case in the period, per
-- period and group: the population of 重点人员稳定率. {group} is filled in by the caller.
SELECT
    period, {group} petitioner_key,
    coalesce(bool_or(key_person), false) AS is_key,
    bool_or(in_period AND is_skip_level) AS skipped_in_period
FROM base
WHERE key_person OR (in_period AND is_skip_level)
GROUP BY ALL
