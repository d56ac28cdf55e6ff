-- 越级上访人数: petitioners (one row each in `people`) with a skip-level case in the period.
count(*) FILTER (WHERE skipped_in_period)
