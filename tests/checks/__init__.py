"""Tests of semantic checks and their golden diagnostics, hostile input (engine/checks/)."""
