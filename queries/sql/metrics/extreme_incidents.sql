-- 个人极端事件(起): incidents entered by hand.
count(*) FILTER (WHERE kind = 'extreme')
