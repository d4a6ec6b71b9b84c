"""The compile stage: playbooks → staff task lists, calendars and handbooks."""
