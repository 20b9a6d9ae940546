"""`python -m pipelines.cli`: the same as the installed `mdq` command."""

import sys

from pipelines.cli.main import main

sys.exit(main())
