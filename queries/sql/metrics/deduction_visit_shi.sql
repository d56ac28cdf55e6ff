-- 排名扣分: 来访 at 市.
count(*) FILTER (WHERE in_period AND channel = '来访' AND level = '市')
