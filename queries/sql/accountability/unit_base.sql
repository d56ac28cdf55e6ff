-- The cases of metric_base with their 责任单位 (ACCOUNTABILITY.md §1): each stored
-- responsible_unit ('' for null) mapped to its unit by the aligned lists $name_raws -> $name_units
-- (the names are computed in Python: simplified characters need OpenCC).
SELECT b.*, n.unit
FROM base b
JOIN (SELECT unnest($name_raws::VARCHAR[]) AS raw, unnest($name_units::VARCHAR[]) AS unit) n
  ON n.raw = coalesce(b.responsible_unit, '')
