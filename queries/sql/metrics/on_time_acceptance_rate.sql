-- 按期受理率: over cases accepted or past their acceptance window, accepted in time.
count(*) FILTER (WHERE in_period AND accepted_on <= p_as_of
                 AND accepted_on <= registered_on + $acceptance_days)
    / nullif(count(*) FILTER (WHERE in_period AND (accepted_on <= p_as_of
                              OR registered_on + $acceptance_days < p_as_of)), 0)
