-- 信访总量(件): cases registered in the period.
count(*) FILTER (WHERE in_period)
