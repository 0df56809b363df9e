"""MySQL/MariaDB plan rules (codes MY2xx): read `core/plan/mysql.py`'s nodes, return insights."""
