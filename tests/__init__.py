"""qunce's tests: one folder per pipeline stage, mirroring engine/."""
