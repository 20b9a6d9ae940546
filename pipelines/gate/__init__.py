"""The gate stage: Great Expectations over the month (results), the CI verdicts, and their JUnit report."""
