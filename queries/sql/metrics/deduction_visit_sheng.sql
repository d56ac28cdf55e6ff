-- 排名扣分: 来访 at 省.
count(*) FILTER (WHERE in_period AND channel = '来访' AND level = '省')
