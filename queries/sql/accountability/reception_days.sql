-- (day, leader) of every 接访 record between two dates: what makes a duty day kept (§3).
SELECT DISTINCT held_on, leader
FROM receptions
WHERE kind = '接访' AND held_on BETWEEN $start AND $end
