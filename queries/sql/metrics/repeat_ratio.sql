-- 重复信访占比: repeat cases / cases; null when there are no cases.
count(*) FILTER (WHERE in_period AND is_repeat)
    / nullif(count(*) FILTER (WHERE in_period), 0)
