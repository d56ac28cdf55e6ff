"""Running the dashboard as several processes behind a reverse proxy (docs/deployment.md)."""
