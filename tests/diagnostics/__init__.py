"""Tests of diagnostics and their renderers (engine/diagnostics/)."""
