-- 交办件 per unit (ACCOUNTABILITY.md §2 "Per unit"): distinct cases handed over at a reception
-- held in the period, wherever it was held; `base` holds the cases within the §1 scope filters
-- (any registration date) with their facts as of the as-of date.
WITH handed AS (
    SELECT DISTINCT unnest(case_ids) AS case_id
    FROM receptions
    WHERE held_on BETWEEN $held_from AND $held_to
)
SELECT b.unit,
       count(*) AS handed_over,
       count(*) FILTER (WHERE NOT b.is_closed) AS handed_over_open,
       count(*) FILTER (WHERE b.is_overdue) AS handed_over_overdue
FROM unit_base b
JOIN handed h ON h.case_id = b.case_id
GROUP BY b.unit
