-- 排名扣分: 来访 at 京.
count(*) FILTER (WHERE in_period AND channel = '来访' AND level = '京')
