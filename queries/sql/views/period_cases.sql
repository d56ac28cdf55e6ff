-- The period's cases (drill-down from a figure, a village or a category).
SELECT {columns} FROM base
WHERE in_period
ORDER BY registered_on DESC, case_id
