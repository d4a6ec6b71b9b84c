"""Tests of the commands end to end, the error map, the README and examples (engine/commands/, cli.py)."""
