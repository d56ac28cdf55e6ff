-- 化解稳控: cases of the period resolved or stabilised.
count(*) FILTER (WHERE in_period AND resolution IN ('已化解', '稳控'))
