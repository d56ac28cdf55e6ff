-- Cases of the period where the export's own 是否重复信访 disagrees with the rule.
SELECT {columns} FROM base
WHERE in_period AND repeat_flag IS NOT NULL AND repeat_flag <> is_repeat
ORDER BY registered_on, case_id
