-- 20人以上赴省进京集体访(批).
count(*) FILTER (WHERE in_period AND channel = '来访' AND level IN ('省', '京') AND persons >= 20)
