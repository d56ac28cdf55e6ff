-- 重点人员稳定率: over key persons (one row each in `people`), those with no
-- skip-level case in the period.
count(*) FILTER (WHERE is_key AND NOT skipped_in_period)
    / nullif(count(*) FILTER (WHERE is_key), 0)
