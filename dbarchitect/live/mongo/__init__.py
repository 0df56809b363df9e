"""MongoDB through pymongo: samples documents ($sample), reads indexes, validators and counts, runs
explain — read-only. See database.py (the Database) and features.py (what the tools ask for)."""
