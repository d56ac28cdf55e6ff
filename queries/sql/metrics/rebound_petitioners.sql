-- 已息访人员反弹(人): petitioners (one row each in `people`) back in the period after one of
-- their cases was settled (已化解 and closed before the new case was registered).
count(*) FILTER (WHERE rebounded_in_period)
