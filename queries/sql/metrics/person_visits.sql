-- 信访人次: persons summed over the period's cases.
coalesce(sum(persons) FILTER (WHERE in_period), 0)
