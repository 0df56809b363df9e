"""Security rules (SC…): each reads a `SecurityFacts` (core/security/facts.py) in `check(facts)`."""
