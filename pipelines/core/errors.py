"""Exit statuses and the one exception that carries a user-facing error line."""

USAGE_ERROR = 2
BREACH = 1


class UsageError(Exception):
    """Bad arguments or unusable input: printed as one line, exit status 2."""
