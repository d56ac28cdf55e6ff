-- 排名扣分: repeat cases.
count(*) FILTER (WHERE in_period AND is_repeat)
