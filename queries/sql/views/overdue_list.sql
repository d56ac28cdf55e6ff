-- 超期未办结: the backlog as of the as-of date, longest overdue first.
SELECT {columns}, p_as_of - due AS days_overdue FROM base
WHERE is_overdue
ORDER BY days_overdue DESC, case_id
