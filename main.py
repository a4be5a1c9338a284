"""Entry point (`cdktf.json` app): synthesize the TAP stack and the hand-off bundle."""

import os
import sys

try:
    from tapgen.pipeline.cli import main
except ModuleNotFoundError as missing:
    sys.exit(
        f"error: main.py runs in the project's environment ({missing}); "
        "run scripts/synth, which creates it, or .venv/bin/python main.py"
    )

if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Every output is committed and the lock released by now. Without this, the jsii runtime's exit
    # handler stops its Node process gracefully, about 0.3 s of every synth; Node exits by itself
    # when its pipes close.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
