-- 参评率: closed cases with an evaluation / closed cases.
count(*) FILTER (WHERE in_period AND is_closed AND satisfaction IN ('满意', '基本满意', '不满意'))
    / nullif(count(*) FILTER (WHERE in_period AND is_closed), 0)
