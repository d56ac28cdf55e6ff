-- Store the 诉求群体 of a batch: `new_groups` (position, grp) and `batch_cases` are registered by
-- queries/research/terms.py (a case is in a group when its 信访事由 contains one of its words).
INSERT INTO case_groups BY NAME
SELECT c.case_id, g.grp, c.registered_on, c.township, c.village, c.category, c.channel
FROM new_groups g JOIN batch_cases c ON c.position = g.position
