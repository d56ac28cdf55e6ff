-- The 处理意见 of one imported file's cases (registered as new_answers: case_id, answer, only the
-- non-blank ones), the newest import winning.
INSERT INTO case_answers
SELECT case_id, answer, $source_file, $batch FROM new_answers
ON CONFLICT (case_id) DO UPDATE SET answer = excluded.answer, source_file = excluded.source_file,
                                    import_batch = excluded.import_batch
