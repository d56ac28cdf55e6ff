-- Petitioners of the period with the most repeat cases.
SELECT
    petitioner_key,
    md5(petitioner_key) AS petitioner_token,
    any_value(petitioner_name) AS petitioner_name,
    any_value(township) AS township,
    any_value(village) AS village,
    count(*) AS cases,
    count(*) FILTER (WHERE is_repeat) AS repeats,
    string_agg(DISTINCT category, '、' ORDER BY category) AS categories,
    max(registered_on) AS last_registered_on,
    bool_or(coalesce(key_person, false)) AS key_person
FROM base
WHERE in_period
GROUP BY petitioner_key
HAVING count(*) FILTER (WHERE is_repeat) > 0
ORDER BY repeats DESC, cases DESC, last_registered_on DESC, petitioner_key
LIMIT $limit
