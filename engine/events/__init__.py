"""Event data and rosters: readers with ingest checks, and the generator (the contract is engine/event_contract.py)."""
