-- 化解清单: cases resolved (已化解) and closed within the period.
SELECT {columns} FROM base
WHERE resolution = '已化解' AND is_closed AND closed_on BETWEEN p_from AND p_to
ORDER BY closed_on, case_id
