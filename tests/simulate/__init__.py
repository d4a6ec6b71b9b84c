"""Tests of the simulator's stages (engine/simulate/)."""
