"""Migration rules (MG): one module per hazard of a schema migration; see core/migration/kit.py."""
