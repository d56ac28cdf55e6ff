-- The ladder steps of the view (research/level_steps) kept as a temporary table of the
-- cursor's own: the transitions, the flows and the chains all read it, so the window over
-- every case in scope runs once (research/paths.py).
CREATE TEMP TABLE path_steps AS
{steps}
