-- The periods a metric query joins (queries/metrics/engine.py period_cursor): one row per period, as a
-- temporary table of the cursor that runs the query.
CREATE OR REPLACE TEMP TABLE periods AS
SELECT unnest($names::VARCHAR[]) AS period, unnest($starts::DATE[]) AS p_from,
       unnest($ends::DATE[]) AS p_to, unnest($as_ofs::DATE[]) AS p_as_of
