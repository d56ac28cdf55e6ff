-- One case as 相似来访 shows it (the case the similar ones are compared with), in the places of the scope.
SELECT c.case_id, c.registered_on, c.township, c.village, c.category, c.summary, c.handling,
       c.responsible_unit, c.closed_on, c.resolution, c.satisfaction, a.answer
FROM cases c LEFT JOIN case_answers a USING (case_id)
WHERE c.case_id = $case_id
  AND in_places(c.township, c.village, $townships::VARCHAR[], $villages::VARCHAR[])
