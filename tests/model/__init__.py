"""Tests of the typed playbook and its JSON Schema (engine/model/, engine/schema.py)."""
