-- 排名扣分: collective visits lodged at 县 or above.
count(*) FILTER (WHERE in_period AND is_collective AND level IN ('县', '市', '省', '京'))
