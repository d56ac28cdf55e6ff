-- The scoped cases of each period and township: the denominators of share and G².
SELECT period, coalesce(township, '') AS township, count(*)::BIGINT AS cases FROM scoped GROUP BY ALL
