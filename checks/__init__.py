"""The Great Expectations side of the gate: suites built from the rules, validation, and Data Docs."""
