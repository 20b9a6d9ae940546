"""The measures stage: counting every measure per Trust and breakdown, and the worklists behind the gated ones."""
