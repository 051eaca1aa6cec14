"""Counts in words: "1 point", "2,480 points", never "1 points"."""


def plural(count: int, one: str, many: str = "") -> str:
    """`count` with thousands separators and its noun in the right number; `many` defaults
    to `one` + "s" ("1 original video uploaded", "3 original videos uploaded" need both)."""
    noun = one if abs(count) == 1 else (many or f"{one}s")
    return f"{count:,} {noun}"
