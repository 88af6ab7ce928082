"""``python -m bench.loadtest [--users 50] [--seconds 60] [--faults browser,database,aws]``; exits 1 unless it held."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.loadtest.faults import FAULTS
from bench.loadtest.run import run

ROOT = Path(__file__).resolve().parent.parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make loadtest", description=__doc__)
    parser.add_argument("--users", type=int, default=50, choices=range(1, 201), metavar="1..200")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--faults", default=",".join(FAULTS), help="comma-separated: browser, database, aws; or none")
    parser.add_argument("--settle-seconds", type=float, default=180, help="deadline for every job to end")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "reliability.md")
    args = parser.parse_args(argv)
    faults = tuple(f for f in args.faults.split(",") if f and f != "none")
    unknown = set(faults) - set(FAULTS)
    if unknown or not 0 < args.seconds <= 600:
        parser.error(f"unknown faults {sorted(unknown)}" if unknown else "--seconds must be in (0, 600]")
    outcome, text = run(args.users, args.seconds, faults, args.out, args.settle_seconds)
    print(text)
    print(f"written to {args.out}")
    return 0 if outcome.held else 1


if __name__ == "__main__":
    sys.exit(main())
