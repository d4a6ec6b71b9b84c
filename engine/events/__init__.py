"""Event data and rosters: the contract, readers with ingest checks, and the generator."""
