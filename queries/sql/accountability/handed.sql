-- 交办件 progress (ACCOUNTABILITY.md §2): one row per (reception row, listed case id) in the
-- period and scope, with the case's unit, place, due date, closure and status as of the as-of
-- date (`unit_base`: every case with its facts and unit); an id not in `cases` is 未入库.
-- Dates as YYYY-MM-DD text: the list goes out as JSON.
WITH rec AS ({receptions}),
listed AS (
    SELECT held_on, leader, kind, unnest(case_ids) AS case_id FROM rec
)
SELECT l.case_id, strftime(l.held_on, '%Y-%m-%d') AS held_on, l.leader, l.kind,
       b.unit, b.township, b.village, strftime(b.due, '%Y-%m-%d') AS due,
       CASE WHEN b.is_closed THEN strftime(b.closed_on, '%Y-%m-%d') END AS closed_on,
       b.resolution,
       CASE WHEN b.case_id IS NULL THEN '未入库'
            WHEN b.is_closed THEN '已办结'
            WHEN b.is_overdue THEN '超期'
            ELSE '办理中' END AS status
FROM listed l
LEFT JOIN unit_base b ON b.case_id = l.case_id
