-- 初次信访一次性化解率: closed first-time cases resolved with no follow-up
-- case of the same person and matter within the repeat window (up to the as-of date).
count(*) FILTER (WHERE in_period AND NOT is_repeat AND is_closed
                 AND resolution = '已化解' AND NOT has_follow_up)
    / nullif(count(*) FILTER (WHERE in_period AND NOT is_repeat AND is_closed), 0)
