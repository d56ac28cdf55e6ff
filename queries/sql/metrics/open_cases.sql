-- 在办: cases of the period not closed by the as-of date.
count(*) FILTER (WHERE in_period AND NOT is_closed)
