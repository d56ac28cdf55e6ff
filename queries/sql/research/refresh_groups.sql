-- 诉求群体 of the batch's cases (all cases when $batch is null): a case is in a group when its
-- 信访事由 contains one of the group's words. `group_words` (grp, word) is registered by the caller.
INSERT INTO case_groups
SELECT DISTINCT c.case_id, g.grp, c.registered_on, c.township, c.village, c.category, c.channel
FROM cases c JOIN group_words g ON contains(c.summary, g.word)
WHERE $batch::VARCHAR IS NULL OR c.import_batch = $batch::VARCHAR
