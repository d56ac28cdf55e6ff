-- The columns every case list shows (personal columns are masked by the caller).
case_id, registered_on, township, village, category, category_raw, channel, level, persons,
petitioner_name, petitioner_idno, phone, petitioner_key, summary, case_leader, responsible_unit,
accepted_on, due, closed_on, resolution, satisfaction, key_person, is_repeat, repeat_flag,
is_skip_level, is_collective, is_overdue
