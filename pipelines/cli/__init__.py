"""`mdq`, the command line: argument parsing (main), what each subcommand does (commands), what it prints (console)."""

from pipelines.cli.main import main

__all__ = ["main"]
