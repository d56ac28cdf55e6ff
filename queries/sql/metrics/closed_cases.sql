-- 已办结: cases of the period closed by the as-of date.
count(*) FILTER (WHERE in_period AND is_closed)
