"""Files in: case exports, reception ledgers and duty rosters read, checked and written to the
database (one transaction per file), the terms index built at import, incidents entered by hand.
Imports only the modules beside `db.py` and `config.py` (tests/test_layers.py)."""
