"""`qunce docs`: the handbook a new staff member works from, rendered from the playbook.

context.py builds a plain view model (dicts, lists, text: nothing a template could call
into), one module per part of the playbook; render.py renders it through the Jinja2 sandbox
with the templates in templates/handbook/ (or a team's own, by file name) and writes the files.
"""
