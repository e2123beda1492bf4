"""The diagnosis registry: every record fires on a realistic wrong claim, ids are stable, the JSON
carries them, and a new record needs nothing outside the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.check import diagnoses
from derive.check.claims import parse_work
from derive.check.diagnoses import DIAGNOSES, Diagnosis, register
from derive.check.graph import Graph, Mutation
from derive.check.judge import WRONG, Judge, check
from derive.check.render import render_json, render_text
from derive.spec import load_network
from helpers import small_network

ROOT = Path(__file__).resolve().parents[2]
OFFICE = load_network(ROOT / "examples" / "office_hours_221.yaml")  # seed 002: a before, z after
SMALL = small_network((2, 2, 1), ["tanh", "sigmoid"], bias=False,
                      extra="parameters: {W1: [[0.1, -0.2], [0.3, 0.4]], W2: [[0.5, -0.6]]}\n"
                            "example: {x: [1.0, 0.5], y: [0.2]}\nlearning_rate: 0.1\n")

#: ids as class reports count them: never renamed or removed (a new record adds its id here)
PINNED = [
    "wrong_sign", "pre_post_confused", "missing_activation_derivative", "wrong_loss_derivative",
    "wrong_weight_index", "updated_weight_in_backward_pass", "gradient_of_other_weight",
    "learning_rate_twice", "learning_rate_missing", "arithmetic", "wrong_chain",
]

#: id → realistic wrong claims (network, claim, the report's diagnosis line)
CASES = {
    "wrong_sign": [(OFFICE, "{about: dE/dw5, value: 0.0858}",
                    "wrong sign: the claim is the negative of the true value")],
    "pre_post_confused": [(OFFICE, "{about: dz1/da1, latex: 'a_1(1 - a_1)'}",
                           "pre- vs post-activation confused: a₁ (before the activation) used where z₁ "
                           "(after it) belongs")],
    "missing_activation_derivative": [
        (SMALL, '{about: dE/dw2_1_1, expr: "(a2_1 - y)*a1_1"}',
         "missing activation derivative: the factor ∂a/∂z of an activation was left out"),
        (OFFICE, '{about: dE/dw5, expr: "dE_dyhat*z1"}',
         "missing activation derivative: the factor ∂z/∂a of an activation was left out")],
    "wrong_loss_derivative": [(OFFICE, "{about: dE/dyhat, latex: '\\hat{y} - y', value: -0.34}",
                               "derivative of the wrong loss: ∂E/∂ŷ of half squared error was used, but the "
                               "loss is binary cross entropy (log base 10)")],
    "wrong_weight_index": [(OFFICE, '{about: dE/dz1, expr: "dE_dyhat*dyhat_da3*w6"}',
                            "wrong weight index in the hidden-layer sum: w₆ used where w₅ belongs")],
    "updated_weight_in_backward_pass": [(OFFICE, "{about: dE/dz1, value: -0.07722}",
                                         "updated weight used where the old one belongs: a weight after the "
                                         "step was used in the backward pass")],
    "gradient_of_other_weight": [(OFFICE, '{about: w6 after, expr: "w6 - alpha*dE_dw5", value: 0.61}',
                                  "a gradient used for the wrong weight's update: w₆ was updated with ∂E/∂w₅")],
    "learning_rate_twice": [(OFFICE, '{about: w5 after, expr: "w5 - alpha*alpha*dE_dw5"}',
                             "learning rate applied twice: θ − η·η·∂E/∂θ")],
    "learning_rate_missing": [(OFFICE, "{about: w5 after, value: 0.5858}", "learning rate not applied: θ − ∂E/∂θ")],
    "arithmetic": [(OFFICE, '{about: a1, expr: "x1*w1 + x2*w3", value: 0.35}',
                    "arithmetic: the expression is right, its value is 0.3, not 0.35")],
    "wrong_chain": [(OFFICE, "{about: dE/dw5, chain: [dE/dyhat, da3/dw5]}",
                     "the chain itself is wrong: its true factors multiply to -0.380181, not to the true "
                     "dE/dw5 = -0.0857687")],
}


def one(network, claim: str):
    graph = Graph(network)
    work = parse_work(f"claims:\n  - {claim}\n", "work.yaml", graph)
    return Judge(network, graph, work.derivative_symbols).judge_all(work).verdicts[0]


@pytest.mark.parametrize("record", list(DIAGNOSES.values()), ids=list(DIAGNOSES))
def test_every_diagnosis_fires_on_a_realistic_wrong_claim(record):
    assert CASES.get(record.id), f"diagnosis {record.id!r} has no case in CASES"
    for network, claim, line in CASES[record.id]:
        verdict = one(network, claim)
        assert verdict.verdict == WRONG, claim
        assert line in [str(d) for d in verdict.diagnoses if d.id == record.id], (claim, verdict.diagnoses)


def test_ids_are_unique_snake_case_and_pinned():
    assert list(DIAGNOSES) == PINNED, "an id was renamed, removed or reordered (or a new one is not pinned)"
    assert set(CASES) == set(DIAGNOSES)
    assert all(diagnoses.ID_RE.fullmatch(i) for i in DIAGNOSES)
    with pytest.raises(ValueError, match="taken"):
        register(Diagnosis("wrong_sign", "again", "text", on=diagnoses.NUMBER_OFF))
    with pytest.raises(ValueError, match="snake_case"):
        register(Diagnosis("Wrong Sign", "wrong sign", "text", on=diagnoses.NUMBER_OFF))
    with pytest.raises(ValueError, match="either mutations"):
        register(Diagnosis("neither", "neither", "text"))
    assert list(DIAGNOSES) == PINNED  # refused records leave no trace


def test_json_carries_the_id_next_to_the_text():
    result = check(OFFICE, str(ROOT / "examples" / "homework" / "office_hours_221_work.yaml"))
    data = json.loads(render_json(result))
    found = [d for claim in data["claims"] for d in claim["diagnoses"]]
    assert [d["id"] for d in found] == ["wrong_loss_derivative", "gradient_of_other_weight",
                                        "pre_post_confused", "pre_post_confused"]
    for d in found:
        assert d["title"] == DIAGNOSES[d["id"]].title
        assert f"diagnosis: {d['title']}: {d['text']}" in render_text(result)


def test_a_new_diagnosis_is_one_record(monkeypatch):
    """A mistake the registry does not know (halving the gradient) needs one record, no judge edit."""
    monkeypatch.setattr(diagnoses, "DIAGNOSES", dict(DIAGNOSES))
    claim = "{about: dE/dw5, value: -0.0429}"
    assert not one(OFFICE, claim).diagnoses
    register(Diagnosis("halved", "halved", "half of ∂{loss}/∂θ",
                       lambda graph, q: [Mutation(result=lambda v: v / 2, names={"loss": "E"})]))
    assert [str(d) for d in one(OFFICE, claim).diagnoses] == ["halved: half of ∂E/∂θ"]
