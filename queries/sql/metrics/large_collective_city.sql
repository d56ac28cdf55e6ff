-- 50人以上到市集体访(批).
count(*) FILTER (WHERE in_period AND channel = '来访' AND level = '市' AND persons >= 50)
