-- 五有 check: open cases missing any of 包案领导, 工作专班, 化稳方案, 解决时限, 防反弹措施.
SELECT * FROM (
    SELECT {columns},
        case_leader IS NULL AS lacks_leader,
        responsible_unit IS NULL AS lacks_team,
        summary IS NULL AS lacks_plan,
        due_on IS NULL AS lacks_deadline,
        resolution IS NULL AS lacks_follow_up
    FROM base
    WHERE NOT is_closed
)
WHERE lacks_leader OR lacks_team OR lacks_plan OR lacks_deadline OR lacks_follow_up
ORDER BY registered_on, case_id
