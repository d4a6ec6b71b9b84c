"""Tests of reading YAML with positions, extends/include (engine/source/)."""
