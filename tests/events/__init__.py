"""Tests of event data: ingest, generator (engine/events/)."""
