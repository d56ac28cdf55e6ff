-- The 处理意见 of one imported file's cases (registered as new_answers: case_id, answer, only the
-- non-blank ones), the newest import winning.
MERGE INTO case_answers
USING (SELECT case_id, answer, $source_file AS source_file, $batch AS import_batch FROM new_answers) AS excluded
ON case_answers.case_id = excluded.case_id
WHEN MATCHED THEN UPDATE SET answer = excluded.answer, source_file = excluded.source_file,
                             import_batch = excluded.import_batch
WHEN NOT MATCHED THEN INSERT BY NAME
