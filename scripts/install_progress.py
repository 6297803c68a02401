"""Turns pip's install log into one progress line per tenth of the packages, so a first `make dev` or `make test`
shows what it is doing without pip's hundreds of lines. Reads pip's output on stdin; pip's errors pass through.

`pip install ... | python scripts/install_progress.py <number of packages>`
"""

from __future__ import annotations

import sys
import time


def main(argv: list[str]) -> int:
    total = max(1, int(argv[1]))
    started = time.monotonic()
    collected = 0
    next_report = 0
    for line in sys.stdin:
        if line.startswith(("Collecting ", "Processing ")):  # from an index, or from a wheel file
            collected += 1
            if collected * 10 >= next_report * total:
                print(f"  [{collected}/{total}] {_package(line)}", flush=True)
                next_report += 1
        elif line.startswith("Installing collected packages"):
            print("  installing...", flush=True)
        elif line.startswith(("ERROR", "error")) or "error:" in line:
            print(line, end="", file=sys.stderr, flush=True)
    print(f"  ready in {time.monotonic() - started:.0f} s", flush=True)
    return 0


def _package(line: str) -> str:
    """The package of a `Collecting boto3==1.43.108` or a `Processing /x/boto3-1.43.108-py3-none-any.whl` line."""
    target = line.split()[1]
    if "/" not in target:
        return target
    name, version = target.rsplit("/", 1)[1].split("-")[:2]
    return f"{name}=={version}"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
