"""Tests of the condition language: parse, check, evaluate, compile to Ibis (engine/expr/)."""
