-- One reception record entered by hand (queries/ingest/reception_entry.py).
INSERT INTO receptions (reception_key, held_on, leader, leader_title, kind, township, village, batches,
                        persons, case_ids, note, source_file, source_row, import_batch)
VALUES ($reception_key, $held_on, $leader, $leader_title, $kind, $township, $village, $batches,
        $persons, $case_ids::VARCHAR[], $note, $source_file, $source_row, $import_batch)
