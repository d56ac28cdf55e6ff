-- 进京赴省访(批): 来访 cases lodged at 省 or 京.
count(*) FILTER (WHERE in_period AND channel = '来访' AND level IN ('省', '京'))
