-- 已息访人员反弹(人): petitioners back after one of their cases was settled.
count(DISTINCT petitioner_key) FILTER (WHERE in_period AND first_settled_on < registered_on)
