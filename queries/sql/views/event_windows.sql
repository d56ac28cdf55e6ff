-- 重大活动保障期: for each configured window (relation `windows`), 活动期间登记 and key persons.
SELECT
    w.name, w.start_on, w.end_on,
    count(f.case_id) FILTER (WHERE f.level IN ('省', '京')) AS event_registrations,
    count(DISTINCT f.petitioner_key) FILTER (WHERE f.key_person) AS key_persons_active,
    count(f.case_id) AS cases
FROM windows w
LEFT JOIN case_facts f
    ON f.registered_on BETWEEN w.start_on AND w.end_on
   AND {in_view}
GROUP BY w.name, w.start_on, w.end_on
ORDER BY w.start_on
