-- 按期办结率: over cases closed or past due, those closed by the due date.
count(*) FILTER (WHERE in_period AND is_closed AND closed_on <= due)
    / nullif(count(*) FILTER (WHERE in_period AND (is_closed OR due < p_as_of)), 0)
