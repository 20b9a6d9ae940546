"""Plumbing every stage shares: paths, configuration, months, the warehouse connection, errors."""
