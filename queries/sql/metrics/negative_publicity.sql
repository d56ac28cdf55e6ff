-- 负面炒作(起): incidents entered by hand.
count(*) FILTER (WHERE kind = 'publicity')
