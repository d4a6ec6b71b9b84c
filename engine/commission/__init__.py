"""The commission stage （社群运营提成）: the playbook's plan applied to the simulated metrics,
per unit (a group, or a staff member for a per-staff pool) and period, split among the staff,
rounded to the fen so that every statement reconciles. Written in plain Decimal: the rows are
groups × periods (thousands), never events."""
