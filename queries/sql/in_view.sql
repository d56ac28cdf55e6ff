-- A view's filters as one predicate on a case aliased f (cases, case_facts, case_texts or
-- case_groups): places, 信访事项类别, 信访形式, 责任单位 and 诉求群体. Every query of the cases in a
-- view uses it (queries/metrics/engine.py in_view). The 责任单位 and 诉求群体 parts are written in
-- only when chosen: an always-present subquery would cost every unfiltered query a join.
in_scope(f.township, f.village, f.category, f.channel,
         $townships::VARCHAR[], $villages::VARCHAR[], $categories::VARCHAR[], $channels::VARCHAR[])
{units_filter}
{groups_filter}
