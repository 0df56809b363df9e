"""MySQL/MariaDB migration rules (MY3xx): lint_migration and dry_run_migration on `mysql://` connections."""
