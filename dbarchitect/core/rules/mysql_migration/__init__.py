"""MySQL/MariaDB migration rules (MY1xx): lint_migration and dry_run_migration on `mysql://` connections."""
