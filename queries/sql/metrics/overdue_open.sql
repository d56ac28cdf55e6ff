-- 超期未办结(件): the backlog, from any period up to the end of this one.
count(*) FILTER (WHERE is_overdue)
