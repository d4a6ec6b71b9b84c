"""Tests of shared pieces: the template sandbox, schedules, files, the validate cache."""
