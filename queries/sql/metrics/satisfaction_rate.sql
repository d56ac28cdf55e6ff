-- 群众满意率: over closed cases with an evaluation, the satisfied share.
count(*) FILTER (WHERE in_period AND is_closed AND list_contains($satisfied::VARCHAR[], satisfaction))
    / nullif(count(*) FILTER (WHERE in_period AND is_closed
                              AND satisfaction IN ('满意', '基本满意', '不满意')), 0)
