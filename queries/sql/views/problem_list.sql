-- 问题清单: cases of the period not resolved, and every case still open at the as-of date.
SELECT {columns} FROM base
WHERE (in_period AND coalesce(resolution, '未化解') = '未化解') OR NOT is_closed
ORDER BY registered_on, case_id
