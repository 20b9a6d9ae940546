import warnings

import dagster as dg

# Partitioned asset checks (one verdict per reporting month) are "preview" in Dagster 1.13;
# the feature is what the UI needs, so the warning is noise for every analyst's run.
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
