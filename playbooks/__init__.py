"""Data shipped with qunce (read through importlib.resources)."""
