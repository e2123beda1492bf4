"""Networks the checker's tests judge claims about, and a one-claim judge."""

from __future__ import annotations

from pathlib import Path

from derive.check.claims import parse_work
from derive.check.graph import Graph
from derive.check.judge import Judge, Verdict
from derive.spec import load_network
from helpers import small_network

ROOT = Path(__file__).resolve().parents[2]
OFFICE = load_network(ROOT / "examples" / "office_hours_221.yaml")  # seed 002: a before, z after
SMALL = small_network((2, 2, 1), ["tanh", "sigmoid"], bias=False,
                      extra="parameters: {W1: [[0.1, -0.2], [0.3, 0.4]], W2: [[0.5, -0.6]]}\n"
                            "example: {x: [1.0, 0.5], y: [0.2]}\nlearning_rate: 0.1\n")
#: two units in the layer above: sums over paths, δ and weight indices
WIDE = small_network((2, 2, 2), ["sigmoid", "sigmoid"], bias=True,
                     extra="parameters: {W1: [[0.1, -0.2], [0.3, 0.4]], b1: [0.1, -0.1], W2: [[0.5, -0.6], "
                           "[0.7, 0.2]], b2: [0.05, 0.0]}\nexamples: [{x: [1.0, 0.5], y: [1, 0]}, "
                           "{x: [0.3, -0.2], y: [0, 1]}]\nlearning_rate: 0.5\n")
#: a softmax output with cross-entropy (soft targets, so that no term vanishes)
SOFT = small_network((2, 2, 3), ["sigmoid", "softmax"], loss="categorical_cross_entropy", bias=False,
                     extra="parameters: {W1: [[0.1, -0.2], [0.3, 0.4]], W2: [[0.5, -0.6], [0.7, 0.2], "
                           "[-0.3, 0.1]]}\nexample: {x: [1.0, 0.5], y: [0.2, 0.7, 0.1]}\nlearning_rate: 0.5\n")
NETS = {"OFFICE": OFFICE, "SMALL": SMALL, "WIDE": WIDE, "SOFT": SOFT}


def judge(network, claims_yaml: str) -> list[Verdict]:
    graph = Graph.of(network)
    work = parse_work(claims_yaml, "work.yaml", graph)
    return Judge(network, graph, work.derivative_symbols).judge_all(work).verdicts


def one(network, claim: str) -> Verdict:
    return judge(network, f"claims:\n  - {claim}\n")[0]
