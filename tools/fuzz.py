"""A long fuzzing campaign: mutated packages through validate, read_datapackage and the command line.

    python tools/fuzz.py --cases 10000 [--seed 0]

Each case copies the published package, mutates it (``tests/mutations.py``,
replayable from its seed) and checks the contract (``tests/contract.py``):
no exception but the documented ones, the same verdict from the validator
and the reader, the command line's status as its report says, no traceback.
It prints the failures with their seeds (to keep as regression cases), the
slowest case and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time

from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.contract import check_contract  # noqa: E402 - the repository root is on the path first
from tests.mutations import mutate  # noqa: E402


def run_case(seed: int, *, frictionless: bool = False) -> tuple[list[str], list[str], float]:
    """One case: what was mutated, what broke the contract, and how long it took."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        package = folder / "package"
        package.mkdir()
        shutil.copy(ROOT / "datapackage.json", package)
        shutil.copytree(ROOT / "data", package / "data")
        (folder / "outside.csv").write_text("secret\n", encoding="utf-8")
        done = mutate(package, seed)
        started = time.perf_counter()
        broken = check_contract(package, against_frictionless=frictionless)
        return done, broken, time.perf_counter() - started


def main() -> int:
    """Run the campaign; exit 1 when any case broke the contract."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="how many mutated packages")
    parser.add_argument("--seed", type=int, default=0, help="the first case's seed")
    parser.add_argument(
        "--frictionless", action="store_true", help="also require validate to find what frictionless finds"
    )
    parser.add_argument(
        "--memory-gib",
        type=float,
        default=4.0,
        help="address-space limit: past it a case fails, not the host",
    )
    parser.add_argument(
        "--progress", type=Path, help="a file where each case's seed is written before it runs"
    )
    args = parser.parse_args()
    limit = int(args.memory_gib * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    failures: list[tuple[int, list[str], list[str]]] = []
    slowest = (0.0, -1)
    started = time.perf_counter()
    for seed in range(args.seed, args.seed + args.cases):
        if args.progress is not None:
            args.progress.write_text(f"{seed}\n", encoding="utf-8")
        try:
            done, broken, seconds = run_case(seed, frictionless=args.frictionless)
        except MemoryError:
            done, broken, seconds = ["(see the seed)"], [f"over {args.memory_gib} GiB of memory"], 0.0
        slowest = max(slowest, (seconds, seed))
        if broken:
            failures.append((seed, done, broken))
            sys.stdout.write(f"seed {seed}: {'; '.join(done)} -> {'; '.join(broken)}\n")
            sys.stdout.flush()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    disagreements = sum(1 for _, _, broken in failures if any("differ" in b for b in broken))
    sys.stdout.write(
        f"{args.cases} cases in {time.perf_counter() - started:.0f} s: {len(failures)} broke the contract "
        f"({disagreements} disagreements between validate and read_datapackage); slowest case "
        f"{slowest[0]:.2f} s (seed {slowest[1]}); peak memory {peak:.0f} MiB\n"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
