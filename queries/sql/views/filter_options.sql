-- Distinct values offered by the filters, within the caller's places.
SELECT DISTINCT township, village, category, channel, responsible_unit FROM cases
WHERE in_places(township, village, $townships::VARCHAR[], $villages::VARCHAR[])
