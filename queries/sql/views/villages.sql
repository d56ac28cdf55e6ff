-- Every (township, village) with any case in the database, within the place filters: the
-- villages the ranking lists (a village without cases in the period still loses its backlog).
SELECT DISTINCT township, village FROM cases
WHERE in_places(township, village, $townships::VARCHAR[], $villages::VARCHAR[])
