"""WeCom's own records in (`qunce events import wecom`): a team's exports of WeChat Work
(企业微信) turned into an events file and a roster.

One module per job: `kinds` tells each file's kind from its content; `archive_read` and
`archive` read and sort out the chat archive (会话内容存档) in DuckDB, the one source that is
large; `details` and `changes` read the group details (groupchat/get) and the group change
callbacks (change_external_chat) in Python; `membership` keeps each join and leave once;
`naming` reads the playbook's naming patterns backwards to type the groups; `roster_build` makes
the roster; `assemble` checks every event against its group's days and orders the table; `write`
puts both files in place; `run` wires them. Every record read is written, skipped (with its
reason) or rejected (with its file, line, field and reason): `records.Tally` keeps the books.
"""
