-- 越级上访人次: persons of 来访 cases lodged at a skip level.
coalesce(sum(persons) FILTER (WHERE in_period AND is_skip_level), 0)
