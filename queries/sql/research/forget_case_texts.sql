-- The texts of cases that were deleted (queries/demo/database.py's remove_demo).
DELETE FROM case_texts WHERE case_id NOT IN (SELECT case_id FROM cases)
