"""Compile a playbook into what staff use: task lists and calendars (`qunce tasks`).

triggers.py (when an SOP item fires) → tables.py (the playbook and roster as small Arrow
tables) → expand.py, event_tasks.py (rows, relationally on DuckDB through Ibis) → texts.py
(rendered once per distinct context) → capacity.py, task_formats.py, ics.py (outputs);
run.py wires them for the command.
"""
