"""The security gate: `rules` checks every synthesized configuration and fails synth on a finding;
`exceptions` lists every exception to a security check (ours and checkov's), each with its reason."""
