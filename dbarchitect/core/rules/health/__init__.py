"""Health rules (HL…): each reads a `HealthFacts` (core/health/facts.py) in `check(facts)`."""
