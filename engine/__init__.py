"""qunce's library: load, check, simulate and compile community-operation playbooks."""
