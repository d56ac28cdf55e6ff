-- Drill-down: the period's cases (in scope) of the 诉求群体 $group.
SELECT {columns} FROM base
WHERE in_period AND case_id IN (SELECT case_id FROM case_groups WHERE grp = $group)
ORDER BY registered_on DESC, case_id
