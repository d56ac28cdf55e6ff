-- Distinct values offered by the filters: (township, village, category, channel) combinations.
SELECT DISTINCT township, village, category, channel FROM cases
