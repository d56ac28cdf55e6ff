-- The 处理意见 of cases that were deleted (the demo removed).
DELETE FROM case_answers WHERE case_id NOT IN (SELECT case_id FROM cases)
