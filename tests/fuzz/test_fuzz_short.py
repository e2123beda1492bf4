"""The short fuzz run of the default suite: mutated shipped specs and claims files through the
console entry point, each in a forked worker under a memory cap and a deadline. None may end in
a traceback, a hang, a MemoryError, a multi-line error or an execution. The long run:
``python tests/fuzz/run.py --minutes N``."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BAD, run_case, warm_up  # noqa: E402
from mutator import make_case  # noqa: E402

CASES = 200
BUDGET_S = 50.0  # a loaded machine runs fewer cases; at least MIN_CASES must run
MIN_CASES = 20


def test_mutated_inputs_end_cleanly():
    warm_up()
    rng = random.Random(17)
    failures, ran = [], 0
    start = time.monotonic()
    while ran < CASES and time.monotonic() - start < BUDGET_S:
        case = make_case(rng, allow_slow=False)
        outcome = run_case(case.args, case.files, deadline_s=20.0)
        ran += 1
        if outcome.kind in BAD:
            failures.append((outcome.kind, case.args, case.mutation, outcome.stderr[-600:]))
    print(f"{ran} mutated cases in {time.monotonic() - start:.0f} s")
    assert ran >= MIN_CASES, ran
    assert not failures, failures[:3]
