"""Exit statuses, the one exception that carries a user-facing error line, and keeping it one line."""

import unicodedata

USAGE_ERROR = 2
BREACH = 1


class UsageError(Exception):
    """Bad arguments or unusable input: printed as one line, exit status 2."""


def one_line(text: str) -> str:
    """The text on one line: a control character or line separator (a file name may hold a
    newline) shown as its escape, so nothing from the landing folder can print a line of its own."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
