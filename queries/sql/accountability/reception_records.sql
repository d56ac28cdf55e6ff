-- Reception rows of the period within the place filters, newest first (the page's list and form).
SELECT reception_key, held_on, leader, leader_title, kind, township, village, batches, persons,
       array_to_string(case_ids, '、') AS case_ids, note, source_file
FROM receptions
WHERE held_on BETWEEN $held_from AND $held_to
  AND in_places(township, village, $reception_townships::VARCHAR[], $reception_villages::VARCHAR[])
ORDER BY held_on DESC, leader, kind
