"""The simulator: metrics, features, points, levels, segments, health and churn, as Ibis
expressions run on embedded DuckDB (the same code is meant to run on Spark)."""
