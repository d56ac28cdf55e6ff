-- Incidents entered by hand (个人极端事件, 负面炒作) that fall in each requested period.
SELECT p.period, i.*
FROM incidents i
JOIN periods p ON i.occurred_on BETWEEN p.p_from AND p.p_to
WHERE in_places(i.township, i.village, $townships::VARCHAR[], $villages::VARCHAR[])
