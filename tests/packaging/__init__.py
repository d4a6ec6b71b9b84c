"""Tests of one import name, the import graph, packaging and CI scripts."""
