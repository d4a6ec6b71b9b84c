"""Tests of commission: book, statements, payfactor (engine/commission/)."""
