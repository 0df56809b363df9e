"""Security posture of a live database: facts read by live/postgres/security.py, judged by core/rules/security."""
