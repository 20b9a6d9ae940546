import warnings

import dagster as dg

# Partitioned asset checks (one verdict per reporting month) are "preview" and the single-run
# backfill policy "beta" in Dagster 1.13; both are what the graph needs, so the warnings are
# noise in every analyst's run.
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
warnings.filterwarnings("ignore", category=dg.BetaWarning)
