-- 稳控清单: cases under 稳控 and cases of key persons, of the period or still open.
SELECT {columns} FROM base
WHERE (resolution = '稳控' OR key_person) AND (in_period OR NOT is_closed)
ORDER BY registered_on, case_id
