"""The invented county of the demo: its cases, reception ledger, roster and village map, written
as messy files and imported through the real import path."""
