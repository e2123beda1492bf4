"""The long fuzz run: ``python tests/fuzz/run.py --minutes N [--seed S] [--out DIR]``.

Alternates the hostile corpus (tests/fuzz/hostile.py: every string in every place, in rounds) with
mutations of the shipped specs and claims files, runs each case through derive's console entry point
in a forked worker (memory cap, deadline), prints counts by outcome and keeps every failing
input as a reproducer: DIR/OUTCOME/NNNNN/ with the files, ``args.txt`` (the command line,
run it in that folder: ``derive $(cat args.txt)``), ``mutation.txt`` and ``stderr.txt``.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from harness import BAD, OUTCOMES, run_case, warm_up  # noqa: E402
from hostile import hostile_cases  # noqa: E402
from mutator import make_case  # noqa: E402


def save(out: Path, kind: str, number: int, args, files, note: str, stderr: str) -> Path:
    folder = out / kind / f"{number:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "args.txt").write_text(" ".join(args) + "\n")
    (folder / "mutation.txt").write_text(note + "\n", errors="backslashreplace")
    (folder / "stderr.txt").write_text(stderr[-20000:], errors="backslashreplace")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--deadline", type=float, default=20.0, help="seconds per case before it is a hang")
    parser.add_argument("--memory-mb", type=int, default=1500, help="memory cap per case (RLIMIT_AS, MiB)")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile corpus")
    options = parser.parse_args()
    warm_up()
    rng = random.Random(options.seed)
    print(f"seed {options.seed}; reproducers under {options.out}/", flush=True)
    end = time.monotonic() + options.minutes * 60
    results: dict[str, collections.Counter] = {"hostile": collections.Counter(), "fuzz": collections.Counter()}
    number = 0

    def one(group: str, args, files, note: str) -> None:
        nonlocal number
        number += 1
        outcome = run_case(args, files, options.deadline, options.memory_mb)
        results[group][outcome.kind] += 1
        if outcome.kind in BAD:
            where = save(options.out, outcome.kind, number, args, files, f"{group}: {note}", outcome.stderr)
            print(f"{outcome.kind:10s} {where}  {note[:80]!r}", flush=True)

    # hostile and mutated cases alternate, so that a short run counts both
    hostile = iter(() if options.no_hostile else hostile_cases())
    total_hostile = 0 if options.no_hostile else sum(1 for _ in hostile_cases())
    while time.monotonic() < end:
        case = next(hostile, None)
        if case is not None:
            one("hostile", *case)
        if time.monotonic() < end:
            fuzz = make_case(rng)
            one("fuzz", fuzz.args, fuzz.files, fuzz.mutation)
    for group, counts in results.items():
        total = sum(counts.values())
        shown = ", ".join(f"{kind} {counts[kind]}" for kind in OUTCOMES if counts[kind])
        of = f" (of the corpus's {total_hostile})" if group == "hostile" else ""
        print(f"{group}: {total} cases{of}: {shown or 'none'}")
    return 1 if any(counts[k] for counts in results.values() for k in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
