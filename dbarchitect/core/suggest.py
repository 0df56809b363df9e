"""'Did you mean …?': the known names nearest to one a caller got wrong, and the phrase offering them.

Every error that refuses a misspelt argument, spec key, rule, table, schema or rename asks here, so
one place decides what counts as near (difflib's similarity ratio, 0.6 by default), how much of a
long name is compared (a caller may send 100,000 characters; difflib's work grows with the product of
the lengths), and how letter case is treated. Callers keep their own sentences around the phrase.
Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

#: characters of the caller's name compared with the choices (longer names are cut to this)
COMPARED = 200

_FORMS = {
    "sentence": " Did you mean {}?",  # a sentence of its own after the error's last one
    "aside": " (did you mean {}?)",  # in brackets after the name it corrects
    "clause": "; did you mean {}?",  # ends the error's sentence
}


def closest(name: str, choices: Iterable[str], *, n: int | None = 3, cutoff: float = 0.6,
            ignore_case: bool = False) -> list[str]:  # fmt: skip
    """Up to `n` of `choices` whose similarity to `name` is at least `cutoff`, the nearest first, each
    in its own spelling and once. `n=None`: no limit (with `cutoff=0.0`, every choice, nearest first).
    `ignore_case`: compare lower-cased; of choices that differ only in case, the first is returned."""
    spelt: dict[str, str] = {}
    for choice in choices:
        spelt.setdefault(choice.lower() if ignore_case else choice, choice)
    wanted = name[:COMPARED].lower() if ignore_case else name[:COMPARED]
    limit = len(spelt) if n is None else n
    if limit <= 0 or not spelt:
        return []
    return [spelt[m] for m in difflib.get_close_matches(wanted, list(spelt), n=limit, cutoff=cutoff)]


def did_you_mean(matches: Sequence[str], *, form: Literal["sentence", "aside", "clause"] = "sentence",
                 quote: Callable[[str], str] = str) -> str:  # fmt: skip
    """The phrase offering `matches` (each passed through `quote`, comma-separated), or "" when there
    are none. It starts with its own space or semicolon, so it is appended as it is."""
    if not matches:
        return ""
    return _FORMS[form].format(", ".join(quote(m) for m in matches))
