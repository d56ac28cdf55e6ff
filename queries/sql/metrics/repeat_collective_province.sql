-- 重复赴省进京集体访(批).
count(*) FILTER (WHERE in_period AND is_collective AND level IN ('省', '京') AND is_repeat)
