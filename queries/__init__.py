"""信访看板 data layer: every DuckDB call, the import of case exports, and the metric layer."""
