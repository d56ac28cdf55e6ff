-- Drill-down: the period's cases (in scope) whose 信访事由 has the term $term.
SELECT {columns} FROM base
WHERE in_period AND case_id IN (SELECT c.case_id FROM case_texts c JOIN text_terms t USING (text_id)
                                WHERE t.term = $term)
ORDER BY registered_on DESC, case_id
