"""One module per `qunce` command: each takes typed arguments, does the work through the
pipeline's stages, and returns an outcome with its exit status. Nothing here prints: cli.py parses
the arguments and prints the outcome, and errors reach the user through errors.report alone.

These functions are also the Python API (`import qunce`; see qunce.__init__)."""
