"""`python -m qunce`: the same command as the `qunce` script."""

from .cli import main

try:
    main(prog_name="qunce")
finally:
    # A Ctrl-C that lands inside a string `exec` (namedtuple and dataclass build their methods that
    # way, so it happens during imports) sets CPython's "unhandled KeyboardInterrupt" flag although
    # qunce catches it and exits 130; under `-m` alone, Py_RunMain then kills the process with
    # SIGINT instead (exit -2). Every string exec starts by clearing that flag. The `qunce` script
    # exits through another path that never reads it.
    exec("pass")
