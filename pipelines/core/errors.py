"""Exit statuses, the one exception that carries a user-facing error line, and keeping it one line."""

import unicodedata

BREACH = 1
USAGE_ERROR = 2
# Another run held the warehouse past MDQ_LOCK_TIMEOUT: nothing is wrong with the request, try
# again later. 75 is EX_TEMPFAIL in sysexits.h, which schedulers and CI retry policies know.
WAREHOUSE_BUSY = 75


class UsageError(Exception):
    """Bad arguments or unusable input: printed as one line, exit status 2."""


def one_line(text: str) -> str:
    """The text on one line: a control character or line separator (a file name may hold a
    newline) shown as its escape, so nothing from the landing folder can print a line of its own."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
