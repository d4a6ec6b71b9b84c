"""Tests of the handbook (engine/compile/docs/, templates/handbook/)."""
