-- The imported roster of one township ('' = the county) between two dates.
SELECT duty_on, leader, substitute
FROM duty_roster
WHERE township = $township AND duty_on BETWEEN $start AND $end
ORDER BY duty_on
