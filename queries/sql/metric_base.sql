-- Cases in scope for each requested period, with the facts that depend on that period's
-- as-of date (METRICS.md "Derived per case"). `periods` is a relation registered by the caller:
-- (period, p_from, p_to, p_as_of). A case is kept for a period when it can count in some
-- metric there: registered in the period, a key person's case, or part of the backlog
-- ($keep_all keeps every case up to the period's end, for lists).
--
-- The candidates are joined in two parts, so that a monthly series does not pair every month
-- with the whole history: cases registered in the period, and the few earlier cases that can
-- still count there (key persons' cases and cases open at some as-of date).
WITH in_scope_facts AS (
    SELECT * FROM case_facts f
    WHERE in_scope(f.township, f.village, f.category, f.channel,
        $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
), candidates AS (
    SELECT p.period, p.p_from, p.p_to, p.p_as_of, f.*
    FROM in_scope_facts f
    JOIN periods p ON f.registered_on <= p.p_to AND ($keep_all OR f.registered_on >= p.p_from)
    UNION ALL
    SELECT p.period, p.p_from, p.p_to, p.p_as_of, f.*
    FROM (SELECT * FROM in_scope_facts
          WHERE NOT $keep_all AND (key_person OR closed_on IS NULL
                                   OR closed_on > (SELECT min(p_as_of) FROM periods))) f
    JOIN periods p ON f.registered_on < p.p_from
    WHERE f.key_person OR f.closed_on IS NULL OR f.closed_on > p.p_as_of
), scoped AS (
    SELECT
        *,
        registered_on >= p_from AS in_period,
        closed_on IS NOT NULL AND closed_on <= p_as_of AS is_closed,
        coalesce(
            due_on,
            CASE WHEN accepted_on <= p_as_of THEN accepted_on + $due_after_acceptance_days END,
            registered_on + $due_after_registration_days
        ) AS due
    FROM candidates
)
SELECT
    *,
    NOT is_closed AND due < p_as_of AS is_overdue,
    coalesce(next_same_matter_on - registered_on <= $repeat_window_days
             AND next_same_matter_on <= p_as_of, false) AS has_follow_up
FROM scoped
WHERE $keep_all OR in_period OR key_person OR (NOT is_closed AND due < p_as_of)
