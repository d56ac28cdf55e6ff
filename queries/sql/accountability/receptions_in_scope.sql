-- Reception rows in the period (by held_on) and at a place within the township and village
-- filters (ACCOUNTABILITY.md §2): a row without a township drops out under a township filter.
SELECT *
FROM receptions
WHERE held_on BETWEEN $held_from AND $held_to
  AND in_places(township, village, $reception_townships::VARCHAR[], $reception_villages::VARCHAR[])
