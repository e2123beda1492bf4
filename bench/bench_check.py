"""How fast ``derive check`` judges: the shipped homework in a running process, and a class.

    python bench/bench_check.py                    # both benchmarks
    python bench/bench_check.py --students 200     # the class size (default 200)
    python bench/bench_check.py --mutations 300    # the long run of the mutation property test

1. The homework (examples/homework/office_hours_221_work.yaml, 31 claims): the first judgement in
   a fresh process (network read, graph built, factors compiled), then the median of later ones —
   the same file again, and a different student's file (the judge's per-network caches warm).
2. A class: ``--students`` generated submissions of that homework — each claim right, or made with
   a registered mistake (1 claim in 4), or with the notebook's own mistakes — judged by the
   command line ``derive check NET FOLDER --jobs 2 --csv``, start-up included.
3. ``--mutations N``: N random small nets, one registered mistake per claim: the rate at which the
   checker names it (and names an equivalent mistake giving the very same number).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "check"))

NET = ROOT / "examples" / "office_hours_221.yaml"
HOMEWORK = ROOT / "examples" / "homework" / "office_hours_221_work.yaml"


def bench_homework(repeats: int = 20) -> None:
    from derive.check.judge import check
    from derive.spec import load_network

    start = time.perf_counter()
    network = load_network(NET)
    result = check(network, str(HOMEWORK))
    first = time.perf_counter() - start
    again = []
    for _ in range(repeats):
        start = time.perf_counter()
        check(network, str(HOMEWORK))
        again.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        files = write_class(Path(tmp), 10, seed=7)
        other = []
        for path in files:
            start = time.perf_counter()
            check(network, str(path))
            other.append(time.perf_counter() - start)
    print(f"homework ({len(result.verdicts)} claims, score {result.score:g}/{result.total:g}):")
    print(f"  first in a fresh process (spec read, graph built): {first:.3f} s")
    print(f"  the same file again, median of {repeats}:            {statistics.median(again):.3f} s")
    print(f"  another student's version, median of {len(other)}:      {statistics.median(other):.3f} s")


def write_class(folder: Path, students: int, seed: int = 2024) -> list[Path]:
    """Submissions of the homework: every number right (rounded as a student would), made with a
    registered mistake, or as the notebook wrote it."""
    from derive.check import diagnoses
    from derive.check.claims import parse_work
    from derive.check.graph import Graph
    from derive.check.judge import Judge
    from derive.spec import load_network

    network = load_network(NET)
    graph = Graph.of(network)
    text = HOMEWORK.read_text()
    work = parse_work(text, str(HOMEWORK), graph)
    judge = Judge(network, graph, work.derivative_symbols)
    raw = yaml.safe_load(text)["claims"]
    choices = []
    for claim in work.claims:
        truth = judge.truth(claim.about)
        wrong = []
        for record in diagnoses.DIAGNOSES.values():
            for mutation in (record.mutations(graph, claim.about) if record.mutations else []):
                try:
                    value = graph.value(claim.about, judge.example, mutation)
                except (ValueError, ZeroDivisionError, OverflowError, TypeError, KeyError):
                    continue
                if np.isfinite(value) and abs(value - truth) > 1e-3:
                    wrong.append(value)
        choices.append((truth, wrong))
    rng = np.random.default_rng(seed)
    paths = []
    for n in range(students):
        claims = []
        for item, (truth, wrong) in zip(raw, choices):
            item = dict(item)
            roll = rng.uniform()
            if roll < 0.25 and wrong:
                item = {"about": item["about"], "value": f"{wrong[int(rng.integers(len(wrong)))]:.4g}"}
            elif roll < 0.85:
                item = {"about": item["about"], "value": f"{truth:.4g}"}
            claims.append(item)  # else: as the notebook wrote it (formula and number)
        path = folder / f"student_{n:03d}.yaml"
        path.write_text(yaml.safe_dump({"student": f"student {n:03d}", "claims": claims}, allow_unicode=True))
        paths.append(path)
    return paths


def bench_class(students: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        write_class(folder, students)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "derive.cli", "check", str(NET), str(folder),
                               "--jobs", str(jobs), "--csv", str(Path(tmp) / "grades.csv")],
                              cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        rows = (Path(tmp) / "grades.csv").read_text().count("\n") - 1
    print(f"class of {students} submissions, --jobs {jobs}, command line with start-up: {elapsed:.1f} s "
          f"({rows} graded claims, exit {done.returncode})")
    print("\n".join(done.stdout.splitlines()[:3] + ["  ..."] + done.stdout.split("named mistakes")[1].splitlines()[:6]))


def bench_mutations(nets: int) -> None:
    from mutation_cases import rates

    start = time.perf_counter()
    made, named, equivalent, misses = rates(range(nets), per_net=6)
    print(f"mutation property test, {nets} random nets, {sum(made.values())} mutated claims, "
          f"{time.perf_counter() - start:.0f} s")
    print(f"  {'mistake':34} named  (or an equivalent giving the same number)")
    for mistake in sorted(made):
        n = made[mistake]
        print(f"  {mistake:34} {named[mistake]:>4}/{n:<4} {100 * named[mistake] / n:5.1f} %   "
              f"{100 * (named[mistake] + equivalent[mistake]) / n:5.1f} %")
    total, hits = sum(made.values()), sum(named.values())
    print(f"  {'all':34} {hits:>4}/{total:<4} {100 * hits / total:5.1f} %   "
          f"{100 * (hits + sum(equivalent.values())) / total:5.1f} %")
    for miss in misses[:20]:
        print("  missed:", miss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--mutations", type=int, default=0, help="run the mutation test on N random nets instead")
    args = parser.parse_args()
    if args.mutations:
        bench_mutations(args.mutations)
        return
    bench_homework()
    bench_class(args.students, args.jobs)


if __name__ == "__main__":
    main()
