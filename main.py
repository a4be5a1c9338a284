"""Entry point (`cdktf.json` app): synthesize the TAP stack and the hand-off bundle."""

import sys

from tapgen.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
