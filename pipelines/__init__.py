"""maternity-dq: the monthly maternity data-quality pipeline (`mdq`)."""

import warnings

# PySpark (the optional Spark engine) warns on import that it does not yet support pandas 3, and
# pandera imports it whenever it is installed, on DuckDB runs too. The project uses no
# pandas-on-Spark; its Spark SQL and Arrow paths are what tests/engines/ cover.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
