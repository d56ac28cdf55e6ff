-- One case as 相似来访 shows it (the case the similar ones are compared with), in the places of the scope.
SELECT case_id, registered_on, township, village, category, summary, handling, responsible_unit,
       closed_on, resolution, satisfaction
FROM cases
WHERE case_id = $case_id
  AND in_places(township, village, $townships::VARCHAR[], $villages::VARCHAR[])
