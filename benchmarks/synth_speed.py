"""Synth speed and memory: the plain provider import path against the project's path, same run.

    .venv/bin/python benchmarks/synth_speed.py [--runs 3]

Each case runs in a fresh process (as a user's `python main.py` does); wall time is the median of
the runs, peak memory the largest resident set of the process tree (Python plus the jsii Node
process). Ratios are against the plain import measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREPARED = "import tapgen; "  # the project's Node preparation (tapgen/__init__.py)

CASES = {
    # As any user of the bindings would: the package __init__ in Python, every submodule in Node.
    "plain import (package __init__)": [sys.executable, "-c", "import cdktf_cdktf_provider_aws.s3_bucket"],
    "project import (tapgen.aws)": [
        sys.executable,
        "-c",
        PREPARED + "from tapgen.aws import aws; aws.s3_bucket.S3Bucket",
    ],
}


# The wrapper becomes a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER): main.py exits
# without waiting for the jsii Node process, which then ends on its own; reaping it here keeps its
# memory in the figure.
WRAPPER = """
import ctypes, os, resource, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - started
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure_once(command: list[str]) -> tuple[float, float]:
    """Wall seconds until the command exits, and the peak RSS (MiB) of any process it started
    (Node included), in a wrapper so that children are counted alone."""
    wrapper = WRAPPER
    output = subprocess.run(
        [sys.executable, "-c", wrapper, *command], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seconds, max_rss_kib = output.stdout.split()
    return float(seconds), int(max_rss_kib) / 1024


def measure(command: list[str], runs: int) -> tuple[float, float]:
    samples = [measure_once(command) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cases = dict(CASES)
        synth = [sys.executable, "main.py", "--out", f"{scratch}/cdktf.out", "--bundle", f"{scratch}/dist/tap_stack"]
        cases["project synth (core stack)"] = synth
        largest = [arg for name, value in largest_combination().items() for arg in ("-c", f"{name}={value}")]
        cases["project synth (regions=3, waf=on)"] = [*synth, "-c", "regions=3", "-c", "waf=on"]
        cases["project synth (largest combination)"] = [*synth, *largest]
        measure(cases["project import (tapgen.aws)"], 1)  # warm the jsii package cache and disk cache
        results = {name: measure(command, args.runs) for name, command in cases.items()}
        # The last synth was the largest: how much of it was writing the HCL bundle from its JSON.
        hcl_seconds = hcl_write_seconds(Path(scratch) / "dist" / "tap_stack" / "tap_stack.tf.json", args.runs)
    baseline_seconds, baseline_mib = results["plain import (package __init__)"]
    print(f"{'case':45} {'wall s':>8} {'x plain':>8} {'peak MiB':>9} {'x plain':>8}")
    for name, (seconds, mib) in results.items():
        print(f"{name:45} {seconds:8.2f} {seconds / baseline_seconds:8.2f} {mib:9.0f} {mib / baseline_mib:8.2f}")
    print(f"{'of which: writing the HCL bundle (largest)':45} {hcl_seconds:8.2f}")
    print(f"largest combination: {' '.join(largest)}")
    print(f"runs per case: {args.runs} (median wall time), {os.cpu_count()} cores, {sys.platform}")


def largest_combination() -> dict[str, str]:
    """`tapgen.combinations.LARGEST`, read in a child process: importing tapgen here would set its
    Node options in this process, and so in the baseline's."""
    code = "import json; from tapgen.combinations import LARGEST; print(json.dumps(LARGEST))"
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(shown.stdout)


def hcl_write_seconds(document: Path, runs: int) -> float:
    """Median seconds to write the HCL bundle of `document` (in a fresh process: no warm caches)."""
    code = (
        "import sys, tempfile, time; from pathlib import Path; t = time.perf_counter(); "
        "from tapgen.pipeline.bundle import Written; from tapgen.pipeline.hcl.bundle import write_hcl_bundle; "
        "from tapgen.provenance import Provenance; written = Written({}, Provenance('0', 'unknown')); "
        "target = Path(tempfile.mkdtemp()); write_hcl_bundle(target, Path(sys.argv[1]).read_bytes(), {}, written); "
        "print(time.perf_counter() - t)"
    )
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code, str(document)], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(samples)


if __name__ == "__main__":
    main()
