-- 化解稳定率: cases resolved or stabilised, as now recorded, closed or not.
count(*) FILTER (WHERE in_period AND resolution IN ('已化解', '稳控'))
    / nullif(count(*) FILTER (WHERE in_period), 0)
