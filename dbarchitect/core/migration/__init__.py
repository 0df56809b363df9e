"""Migration linting: parse a migration with pglast, predict locks/rewrites/scans per statement, run the MG rules."""
