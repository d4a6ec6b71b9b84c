"""Bulk object work runs with Python's cyclic garbage collector paused: the one pause that
validation, the simulator's stages, the commission and explain/diff use.

A run makes many objects that live to its end (Ibis expressions and their compilation, the
playbook's validators, hundreds of thousands of statement lines), and each time enough new ones
survive, the collector walks every object the process holds: ~13 ms of a cold `qunce validate`,
~0.3 s of the 16-event simulation, and at 10M events as much as the commission's work itself
(units 1.9 → 0.7 s, book 2.9 → 1.3 s, views 3.0 → 1.6 s, measured side by side). They leave
few cycles behind. Afterwards every survivor goes to the oldest generation (freeze, then
unfreeze: a list splice, no walk), as if it had survived the collections skipped — unless
someone holds objects frozen (the statement writer does), whose freeze is left alone — and the
caller's setting comes back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector inside the block (also usable as a decorator); nested
    pauses leave it as the outermost found it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
