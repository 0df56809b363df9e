"""Index rules (family IX): what review_indexes checks. One module per rule."""
