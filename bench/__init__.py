"""The national-scale benchmark; `bench/run_benchmark.py` is its command line (see README.md)."""
