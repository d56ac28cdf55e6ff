-- 越级上访人数: distinct petitioners of skip-level cases.
count(DISTINCT petitioner_key) FILTER (WHERE in_period AND is_skip_level)
