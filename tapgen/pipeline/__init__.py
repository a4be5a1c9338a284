"""From options to files: `cli` (the entry point `main.py` runs), `archives` (the Lambda and canary
zips), `bundle` (the JSON hand-off bundle), `hcl` (the HCL hand-off bundle) and `outputs` (the
atomic, manifest-scoped swap of the output directories)."""
