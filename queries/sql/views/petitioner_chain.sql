-- One petitioner's cases in scope (any period), in the order that decides 重复信访.
SELECT
    case_id, registered_on, township, village, category, channel, level, persons,
    petitioner_name, petitioner_idno, phone, petitioner_key, summary, resolution, closed_on,
    is_repeat, repeat_flag, is_skip_level
FROM case_facts f
WHERE md5(petitioner_key) = $token
  AND {in_view}
ORDER BY registered_on, case_id
