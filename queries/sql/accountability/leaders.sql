-- Per leader (ACCOUNTABILITY.md §2), in the county report's shape: every leader with a
-- reception row in the period and scope. Handed-over cases are those listed on the leader's
-- rows that are in `cases` (`base`: every case, its facts as of the as-of date); 包案件 are
-- cases registered in the period whose case_leader, named like reception leaders
-- ($leader_raws -> $leader_names), is the leader.
WITH rec AS ({receptions}),
activity AS (
    SELECT leader,
           count(*) FILTER (WHERE kind = '接访') AS receptions,
           coalesce(sum(batches) FILTER (WHERE kind = '接访'), 0) AS batches,
           coalesce(sum(coalesce(persons, 0)) FILTER (WHERE kind = '接访'), 0) AS persons,
           coalesce(sum(coalesce(persons, 1)) FILTER (WHERE kind = '约访'), 0) AS appointment_persons,
           count(*) FILTER (WHERE kind = '下访') AS visits_down,
           count(*) FILTER (WHERE kind = '调度') AS dispatches
    FROM rec
    GROUP BY leader
),
handed AS (
    SELECT DISTINCT l.leader, b.case_id, b.resolution, b.is_closed, b.is_overdue
    FROM (SELECT leader, unnest(case_ids) AS case_id FROM rec) l
    JOIN base b ON b.case_id = l.case_id
),
handed_counts AS (
    SELECT leader,
           count(*) AS handed_over,
           count(*) FILTER (WHERE resolution = '已化解') AS handed_resolved,
           count(*) FILTER (WHERE is_closed) AS handed_closed,
           count(*) FILTER (WHERE is_overdue) AS handed_overdue
    FROM handed
    GROUP BY leader
),
owned AS (
    SELECT n.leader, count(*) AS owned_cases
    FROM cases c
    JOIN (SELECT unnest($leader_raws::VARCHAR[]) AS raw, unnest($leader_names::VARCHAR[]) AS leader) n
      ON n.raw = c.case_leader
    WHERE c.registered_on BETWEEN $period_from AND $period_to
    GROUP BY n.leader
)
SELECT a.leader, a.receptions, a.batches, a.persons, a.appointment_persons, a.visits_down, a.dispatches,
       coalesce(h.handed_over, 0) AS handed_over,
       coalesce(h.handed_resolved, 0) AS handed_resolved,
       coalesce(h.handed_closed, 0) AS handed_closed,
       coalesce(h.handed_overdue, 0) AS handed_overdue,
       coalesce(o.owned_cases, 0) AS owned_cases
FROM activity a
LEFT JOIN handed_counts h USING (leader)
LEFT JOIN owned o USING (leader)
