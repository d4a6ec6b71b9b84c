"""A team's own export, described once: a mapping file (`events.mapping.yaml`) names the file's
columns, type labels, time and money formats, encoding and sheet. `load_mapping` reads and
checks one; the ingest applies the EventMapping it gives.

formats: DuckDB's strptime directives; model: the file's shape (and its JSON Schema); meaning:
what it says, checked; load: the diagnostics and the EventMapping.
"""

from __future__ import annotations

from .load import EventMapping, MappingResult, load_mapping
from .meaning import event_type

__all__ = ["EventMapping", "MappingResult", "event_type", "load_mapping"]
