"""Numbers: the metric registry, the engine that evaluates it for any scope and period, the
scorecard, the ranking's deductions, units' and leaders' figures. Reads what `ingest` wrote."""
