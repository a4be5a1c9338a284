"""Tools beside the generator: `capacity` (the capacity model behind `scripts/capacity`) and
`checkov/` (the pinned environment of the checkov scanner the suite runs)."""
