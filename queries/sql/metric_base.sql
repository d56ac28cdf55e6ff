-- Cases in scope for each requested period, with the facts that depend on that period's
-- as-of date (METRICS.md "Derived per case"). `periods` is a relation registered by the caller:
-- (period, p_from, p_to, p_as_of). A case is kept for a period when it can count in some
-- metric there: registered in the period, a key person's case, or part of the backlog
-- ($keep_all keeps every case up to the period's end, for lists).
--
-- The candidates are joined in two parts, so that a monthly series does not pair every month
-- with the whole history: cases registered in the period, and the few earlier cases that can
-- still count there. Of those, the case metrics need only the backlog (open at the as-of date)
-- and the people metrics only key persons' cases: the caller says which ($earlier_backlog,
-- $earlier_key_persons), as a key person's old cases repeated for every month of a series were
-- most of the rows. Both parts first narrow the cases to the periods' span by registration date.
WITH span AS (
    SELECT min(p_from) AS first_from, max(p_from) AS last_from, max(p_to) AS last_to,
           min(p_as_of) AS first_as_of
    FROM periods
), in_scope_facts AS NOT MATERIALIZED (
    SELECT * FROM case_facts f
    WHERE {in_view}
), candidates AS (
    SELECT p.period, p.p_from, p.p_to, p.p_as_of, f.*
    FROM (SELECT i.* FROM in_scope_facts i, span
          WHERE registered_on <= last_to AND ($keep_all OR registered_on >= first_from)) f
    JOIN periods p ON f.registered_on <= p.p_to AND ($keep_all OR f.registered_on >= p.p_from)
    UNION ALL
    SELECT p.period, p.p_from, p.p_to, p.p_as_of, f.*
    FROM (SELECT i.* FROM in_scope_facts i, span
          WHERE NOT $keep_all AND registered_on < last_from
            AND (($earlier_key_persons AND key_person)
                 OR ($earlier_backlog AND (closed_on IS NULL OR closed_on > first_as_of)))) f
    JOIN periods p ON f.registered_on < p.p_from
    WHERE ($earlier_key_persons AND f.key_person)
       OR ($earlier_backlog AND (f.closed_on IS NULL OR f.closed_on > p.p_as_of))
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
WHERE $keep_all OR in_period OR ($earlier_key_persons AND key_person)
   OR ($earlier_backlog AND NOT is_closed AND due < p_as_of)
