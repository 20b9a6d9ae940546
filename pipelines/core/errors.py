"""Exit statuses and the one exception that carries a user-facing error line."""

BREACH = 1
USAGE_ERROR = 2
# Another run held the warehouse past MDQ_LOCK_TIMEOUT: nothing is wrong with the request, try
# again later. 75 is EX_TEMPFAIL in sysexits.h, which schedulers and CI retry policies know.
WAREHOUSE_BUSY = 75


class UsageError(Exception):
    """Bad arguments or unusable input: printed as one line, exit status 2."""
