"""Index rules (family IX): what review_indexes checks. One module per rule.

review_indexes also runs the schema rules for the index patterns both reviews report
(`SCHEMA_RULES` in `dbarchitect.core.indexing.review`): foreign-key-without-index (SD002),
duplicate-index (SD017) and redundant-prefix-index (SD018), so that each pattern is decided by one
piece of code and each rule name is served once as `rules://<name>`.

Retired codes, never to be reused:
  IX002 duplicate-index           -> SD017
  IX003 redundant-prefix-index    -> SD018
  IX005 foreign-key-without-index -> SD002
"""

#: codes that once named index rules; a new rule must not take one of them
RETIRED_CODES = frozenset({"IX002", "IX003", "IX005"})
