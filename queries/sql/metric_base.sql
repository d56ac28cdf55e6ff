-- Cases in scope for each requested period, with the facts that depend on that period's
-- as-of date (METRICS.md "Derived per case"). `periods` is a relation registered by the caller:
-- (period, p_from, p_to, p_as_of). A case is kept for a period when it can count in some
-- metric there: registered in the period, a key person's case, or part of the backlog
-- ($keep_all keeps every case up to the period's end, for lists).
WITH scoped AS (
    SELECT
        p.period, p.p_from, p.p_to, p.p_as_of, f.*,
        f.registered_on >= p.p_from AS in_period,
        f.closed_on IS NOT NULL AND f.closed_on <= p.p_as_of AS is_closed,
        coalesce(
            f.due_on,
            CASE WHEN f.accepted_on <= p.p_as_of THEN f.accepted_on + $due_after_acceptance_days END,
            f.registered_on + $due_after_registration_days
        ) AS due
    FROM case_facts f
    JOIN periods p ON f.registered_on <= p.p_to
    WHERE in_scope(f.township, f.village, f.category, f.channel,
        $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
)
SELECT
    *,
    NOT is_closed AND due < p_as_of AS is_overdue,
    coalesce(next_same_matter_on - registered_on <= $repeat_window_days
             AND next_same_matter_on <= p_as_of, false) AS has_follow_up
FROM scoped
WHERE $keep_all OR in_period OR key_person OR (NOT is_closed AND due < p_as_of)
