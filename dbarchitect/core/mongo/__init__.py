"""MongoDB analysis, pure: documents (JSON / Extended JSON as mongoexport writes them) -> an inferred
schema; getIndexes() output; find/aggregate commands; explain() output. No driver, no server.

- `documents.py`: parse JSON / Extended JSON / mongosh text; BSON types and sizes; schema inference.
- `workload.py`: find and aggregate commands, indexes as getIndexes() returns them, the input bundle.
- `explain.py`: explain("queryPlanner" / "executionStats") output as a stage tree.
- `advise.py`: index advice by Equality-Sort-Range, with createIndex commands.
- `review.py`: the document rule family's context and runners (rules in core/rules/document/).
"""
