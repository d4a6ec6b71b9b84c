"""The engines qunce computes on besides embedded DuckDB (issue 21: Spark)."""
