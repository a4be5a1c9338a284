"""Entry point (`cdktf.json` app): synthesize the TAP stack and the hand-off bundle."""

import os
import sys

from tapgen.pipeline.cli import main

if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Every output is committed and the lock released by now. Without this, the jsii runtime's exit
    # handler stops its Node process gracefully, about 0.3 s of every synth; Node exits by itself
    # when its pipes close.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
