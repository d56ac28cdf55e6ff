-- The last case (latest registration; same day: highest case_id) of each listed person
-- ($keys: their petitioner keys), with its place and level, within the scope.
SELECT petitioner_key, arg_max({last_case: case_id, last_level: level, township: township, village: village},
                               (registered_on, case_id)) AS last
FROM case_facts f
WHERE list_contains($keys::VARCHAR[], petitioner_key) AND registered_on <= $as_of
  AND {in_view}
GROUP BY petitioner_key
