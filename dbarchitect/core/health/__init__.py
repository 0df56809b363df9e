"""Operational health of a live database: facts read by live/postgres/health.py, judged by core/rules/health."""
