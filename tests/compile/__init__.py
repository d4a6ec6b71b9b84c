"""Tests of task lists and calendars (engine/compile/)."""
