"""The emulator: moto's server with the project's named patches (`tools.emulator.patches`), behind
a `tools.emulator.retries.RetryLedger`, in a process of its own.

`python -m tools.emulator [--host 127.0.0.1] [--port 0]` serves until its standard input closes
(so it never outlives the process that started it), and prints one JSON line on standard output
once it listens: `{"endpoint": "http://127.0.0.1:<port>", "patches": [...]}`. `GET /_emulator/status`
answers `{"patches": [...], "retried": [...], "replayed": [...]}`: the patches applied and the
retried calls the ledger saw (see `tools.emulator.retries`).

A process of its own keeps moto's global backends apart from any `moto.mock_aws` of the caller's,
which resets them, and its request handling off the caller's interpreter lock.
"""
