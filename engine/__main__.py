"""`python -m qunce`: the same command as the `qunce` script."""

from .cli import main

main(prog_name="qunce")
