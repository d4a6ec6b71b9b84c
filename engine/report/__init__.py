"""`qunce report`: one self-contained HTML page of charts (Apache ECharts, embedded) read from a
simulation's output folder.

`facts` is what the simulation adds to summary.json for the report (the playbook's names, the
level ladder, the pay curve, the owners of the groups to dissolve): the folder holds no playbook,
and a report must work on a folder alone. `folder` reads the tables with DuckDB; one module per
section (`members`, `lifecycle`, `levels`, `audience`, `admissions`, `sop`, `commission`) turns them into
chart options; `page` renders the page."""
