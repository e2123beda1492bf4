"""The diagnosis registry: every record fires on realistic wrong claims (plain text and LaTeX), no
right claim fires any, ids are stable, a claim gets one explanation (or two named together), the
JSON carries the ids, and a new record needs nothing outside the registry."""

from __future__ import annotations

import json

import pytest
from check_nets import OFFICE, ROOT, SMALL, SOFT, WIDE, judge, one

from derive.check import diagnoses, findings
from derive.check.diagnoses import DIAGNOSES, Diagnosis, register
from derive.check.graph import Mutation
from derive.check.judge import WRONG, check
from derive.check.render import render_json, render_text

#: ids as class reports count them: never renamed or removed (a new record adds its id here)
PINNED = [
    "wrong_sign", "pre_post_confused", "missing_activation_derivative", "wrong_loss_derivative",
    "wrong_weight_index", "updated_weight_in_backward_pass", "gradient_of_other_weight",
    "learning_rate_twice", "learning_rate_missing", "arithmetic", "wrong_chain",
    "missing_path_weight", "swapped_weight_index", "swapped_delta_index", "sum_cut_to_one_path",
    "softmax_as_elementwise", "activation_as_log", "activation_for_its_derivative", "factor_two", "factor_half",
    "update_sign", "wrong_learning_rate", "wrong_variable", "factor_differs", "unexplained",
    "wrong_weights_in_forward_sum",
]

#: id → realistic wrong claims (network, claim, a part of the report's diagnosis line), plain text and LaTeX
CASES = {
    "wrong_sign": [
        (OFFICE, "{about: dE/dw5, value: 0.0858}", "wrong sign: the claim is the negative of the true value"),
        (SMALL, '{about: dE/dz2_1, expr: "(y - a2_1)*a2_1*(1 - a2_1)"}', "wrong sign"),
        (OFFICE, "{about: dE/dw5, latex: '-\\frac{\\partial E}{\\partial w_5}'}", "wrong sign")],
    "pre_post_confused": [
        (OFFICE, "{about: dz1/da1, latex: 'a_1(1 - a_1)'}",
         "pre- vs post-activation confused: a₁ (before the activation) used where z₁ (after it) belongs"),
        (OFFICE, '{about: dz1/da1, expr: "a1*(1 - a1)"}', "a₁ (before the activation) used where z₁")],
    "missing_activation_derivative": [  # the most common: a hidden layer's chain without ∂a/∂z
        (OFFICE, '{about: dE/dw3, expr: "dE_dyhat*dyhat_da3*w5*x2"}',
         "missing activation derivative: the activation's derivative ∂z₁/∂a₁ (the hidden layer) was left out"),
        (OFFICE, "{about: dE/dw3, latex: '\\delta_3 w_5 x_2'}", "∂z₁/∂a₁ (the hidden layer) was left out"),
        (WIDE, '{about: dE/dz1_1, expr: "delta2_1*w2_1_1 + delta2_2*w2_2_1"}', "∂a⁽¹⁾₁/∂z⁽¹⁾₁ (the hidden layer)"),
        (WIDE, "{about: dE/dw1_1_1, latex: '(\\delta^{(2)}_1 w^{(2)}_{11} + \\delta^{(2)}_2 w^{(2)}_{21}) x_1'}",
         "∂a⁽¹⁾₁/∂z⁽¹⁾₁ (the hidden layer)"),
        (SMALL, '{about: dE/dw2_1_1, expr: "(a2_1 - y)*a1_1"}', "(the output layer) was left out")],
    "wrong_loss_derivative": [
        (OFFICE, "{about: dE/dyhat, latex: '\\hat{y} - y', value: -0.34}",
         "derivative of the wrong loss: ∂E/∂ŷ of half squared error was used, but the loss is binary cross "
         "entropy (log base 10)"),
        (OFFICE, '{about: dE/dyhat, expr: "yhat - y"}', "of half squared error was used"),
        (SMALL, '{about: dE/da2_1, expr: "2*(a2_1 - y)"}', "of squared error was used, but the loss is half")],
    "wrong_weight_index": [
        (OFFICE, '{about: dE/dz1, expr: "dE_dyhat*dyhat_da3*w6"}',
         "wrong weight index in the hidden-layer sum: w₆ used where w₅ belongs"),
        (OFFICE, "{about: dE/dz1, latex: '\\delta_3 w_6'}", "w₆ used where w₅ belongs")],
    "updated_weight_in_backward_pass": [
        (OFFICE, "{about: dE/dz1, value: -0.07722}",
         "updated weight used where the old one belongs: a weight after the step was used in the backward pass"),
        (OFFICE, "{about: dE/dz1, latex: '\\delta_3 (w_5 - \\alpha \\delta_3 z_1)'}", "a weight after the step")],
    "gradient_of_other_weight": [
        (OFFICE, '{about: w6 after, expr: "w6 - alpha*dE_dw5", value: 0.61}',
         "a gradient used for the wrong weight's update: w₆ was updated with ∂E/∂w₅"),
        (OFFICE, "{about: w6 after, latex: 'w_6 - \\alpha \\frac{\\partial E}{\\partial w_5}'}",
         "w₆ was updated with ∂E/∂w₅")],
    "learning_rate_twice": [
        (OFFICE, '{about: w5 after, expr: "w5 - alpha*alpha*dE_dw5"}', "learning rate applied twice: θ − η·η·∂E/∂θ"),
        (OFFICE, "{about: w5 after, latex: 'w_5 - \\alpha^2 \\frac{\\partial E}{\\partial w_{5}}'}", "twice")],
    "learning_rate_missing": [
        (OFFICE, "{about: w5 after, value: 0.5858}", "learning rate not applied: θ − ∂E/∂θ"),
        (OFFICE, "{about: w5 after, latex: 'w_5 - \\delta_3 z_1'}", "learning rate not applied")],
    "arithmetic": [
        (OFFICE, '{about: a1, expr: "x1*w1 + x2*w3", value: 0.35}',
         "arithmetic: the expression is right, its value is 0.3, not 0.35"),
        (OFFICE, "{about: a1, latex: 'x_1 w_1 + x_2 w_3', value: 0.35}", "its value is 0.3, not 0.35")],
    "wrong_chain": [
        (OFFICE, "{about: dE/dw5, chain: [dE/dyhat, da3/dw5]}",
         "the chain itself is wrong: its true factors multiply to -0.380181, not to the true dE/dw5 = -0.0857687"),
        (OFFICE, "{about: dE/dw5, chain: [dE/dyhat, {about: da3/dw5, latex: 'z_1'}]}", "the chain itself is wrong")],
    "missing_path_weight": [
        (WIDE, '{about: dE/dz1_1, expr: "(delta2_1 + delta2_2)*a1_1*(1 - a1_1)"}',
         "missing path weight: the weights into the output layer were left out of the backward sum"),
        (WIDE, "{about: dE/dz1_1, latex: '(\\delta^{(2)}_1 + \\delta^{(2)}_2) a^{(1)}_1 (1 - a^{(1)}_1)'}",
         "missing path weight"),
        (OFFICE, "{about: dE/dz1, latex: '\\delta_3'}", "missing path weight")],
    "swapped_weight_index": [
        (WIDE, '{about: dE/dz1_1, expr: "(delta2_1*w2_1_1 + delta2_2*w2_1_2)*a1_1*(1 - a1_1)"}',
         "weight indices swapped: the weights into the output layer were used with their two indices swapped"),
        (WIDE, "{about: dE/dz1_1, latex: '(\\delta^{(2)}_1 w^{(2)}_{11} + \\delta^{(2)}_2 w^{(2)}_{12}) "
               "a^{(1)}_1 (1 - a^{(1)}_1)'}", "weight indices swapped")],
    "swapped_delta_index": [
        (WIDE, '{about: dE/dz1_1, expr: "delta2_1*(w2_1_1 + w2_2_1)*a1_1*(1 - a1_1)"}',
         "error term of the wrong unit: δ⁽²⁾₁ used where δ⁽²⁾₂ belongs"),
        (WIDE, "{about: dE/dz1_2, latex: '(\\delta^{(2)}_2 w^{(2)}_{12} + \\delta^{(2)}_1 w^{(2)}_{22}) "
               "a^{(1)}_2 (1 - a^{(1)}_2)'}", "error term of the wrong unit")],
    "sum_cut_to_one_path": [
        (WIDE, '{about: dE/dz1_1, expr: "delta2_1*w2_1_1*a1_1*(1 - a1_1)"}',
         "sum over the layer above cut to one path: only the path through z⁽²⁾₁ was kept"),
        (WIDE, "{about: dE/dw1_2_1, latex: '\\delta^{(2)}_2 w^{(2)}_{22} a^{(1)}_2 (1 - a^{(1)}_2) x_1'}",
         "only the path through z⁽²⁾₂ was kept")],
    "softmax_as_elementwise": [
        (SOFT, '{about: dE/dz2_1, expr: "-y1*(1 - a2_1)"}',
         "softmax differentiated as if elementwise: the off-diagonal terms"),
        (SOFT, "{about: dE/dz2_1, latex: '-\\frac{y_1}{a^{(2)}_1} a^{(2)}_1 (1 - a^{(2)}_1)'}", "as if elementwise")],
    "activation_as_log": [  # seed 002's notebook wrote the logistic function as log₁₀
        (OFFICE, '{about: z1, expr: "log10(a1)", value: 0.57}',
         "activation written as a logarithm: the sigmoid of the hidden layer was computed as log₁₀ of its input"),
        (OFFICE, "{about: z1, latex: '\\log_{10}(a_1)'}", "computed as log₁₀ of its input"),
        (OFFICE, "{about: dz1/da1, latex: '\\frac{1}{a_1 \\ln 10}'}", "computed as log₁₀")],
    "activation_for_its_derivative": [
        (OFFICE, "{about: dz1/da1, latex: 'z_1'}",
         "activation used for its derivative: the activation's value was used for its derivative ∂z₁/∂a₁"),
        (OFFICE, '{about: dyhat/da3, expr: "yhat"}', "its derivative ∂ŷ/∂a₃ (the output layer)")],
    "factor_two": [
        (OFFICE, "{about: dE/dw5, latex: '2 \\delta_3 z_1'}", "a factor 2 too many: the claim is twice the true value"),
        (OFFICE, '{about: dE/dw5, expr: "2*delta3*z1"}', "twice the true value")],
    "factor_half": [
        (SMALL, '{about: dE/da2_1, expr: "(a2_1 - y)/2"}', "a factor 2 missing: the claim is half the true value"),
        (SMALL, "{about: dE/da2_1, latex: '\\frac{1}{2}(a^{(2)}_1 - y)'}", "half the true value")],
    "update_sign": [
        (OFFICE, '{about: w5 after, expr: "w5 + alpha*dE_dw5"}', "step added instead of subtracted"),
        (OFFICE, "{about: w5 after, latex: 'w_5 + \\alpha\\delta_3 z_1'}", "step added instead of subtracted")],
    "wrong_learning_rate": [
        (OFFICE, '{about: w5 after, expr: "w5 - 2*dE_dw5"}', "wrong learning rate: the step used ten times"),
        (OFFICE, "{about: w5 after, latex: 'w_5 - 0.02 \\delta_3 z_1'}", "a tenth of the learning rate")],
    "wrong_variable": [
        (OFFICE, '{about: dE/dz1, expr: "dE_dyhat*dyhat_da3*w5*z1*(1 - z1)"}',
         "derivative with respect to the wrong variable: ∂E/∂a₁ was computed instead of ∂E/∂z₁"),
        (OFFICE, "{about: dE/dw5, latex: '\\delta_3 z_2'}", "∂E/∂w₆ was computed instead of ∂E/∂w₅")],
    "factor_differs": [
        (OFFICE, '{about: dE/dw3, expr: "dE_dyhat*dyhat_da3*w5*(1 - z1)*x2"}',
         "a factor of the chain differs: no registered mistake explains it; the first factor from the top that "
         "differs is ∂z₁/∂a₁"),
        (OFFICE, "{about: dE/dw3, latex: '\\delta_3 w_5 z_1 (1 + z_1) x_2'}", "differs is ∂z₁/∂a₁"),
        (OFFICE, "{about: dE/dw5, chain: [dE/dyhat, {about: dyhat/da3, expr: yhat}, da3/dw5]}",
         "differs is dyhat/da3")],
    "unexplained": [
        (OFFICE, "{about: dE/dw5, value: 0.1234}", "no known mistake: no registered mistake explains this claim"),
        (OFFICE, "{about: dE/dw5, latex: '\\delta_3 + z_1'}", "no known mistake")],
    "wrong_weights_in_forward_sum": [  # flat weights numbered by source (seed 002): easy to mix up
        (OFFICE, '{about: a1, expr: "x1*w2 + x2*w4"}',
         "wrong weights in the forward sum: a₁ was summed with the weights of a₂ (w₂, w₄) instead of its own "
         "weights w₁, w₃"),
        (OFFICE, "{about: a1, latex: 'x_1 w_1 + x_2 w_2', value: 0.20}", "its weights with their indices swapped"),
        (WIDE, "{about: z1_2, value: '-0.100'}", "z⁽¹⁾₂ was summed with the weights of z⁽¹⁾₁"),
        (WIDE, "{about: z1_2, latex: 'w^{(1)}_{11} x_1 + w^{(1)}_{12} x_2 + b^{(1)}_2'}", "the weights of z⁽¹⁾₁")],
}

#: right claims, in plain text and LaTeX, on every test network: none may fire a diagnosis
RIGHT = [
    (OFFICE, """claims:
  - {about: a1, expr: "x1*w1 + x2*w3", value: 0.30}
  - {about: z1, latex: '\\sigma(a_1)', value: 0.574}
  - {about: dE/dyhat, latex: '-\\frac{1}{\\hat{y} \\ln 10}'}
  - {about: dyhat/da3, latex: '\\hat{y}(1 - \\hat{y})'}
  - {about: dz1/da1, expr: "z1*(1 - z1)"}
  - {about: dE/dz1, latex: '\\delta_3 w_5'}
  - {about: dE/dw3, expr: "delta3*w5*z1*(1 - z1)*x2"}
  - {about: dE/dw5, latex: '\\frac{\\partial E}{\\partial \\hat{y}} \\hat{y}(1-\\hat{y}) z_1', value: -0.0858}
  - {about: w5 after, expr: "w5 - alpha*dE_dw5", value: 0.517}
  - {about: w6 after, latex: 'w_6 - 0.2 \\delta_3 z_2'}
  - {about: yhat after, value: 0.6611}
  - {about: E after, value: 0.1797}
"""),
    (WIDE, """claims:
  - {about: dE/dz1_1, expr: "(delta2_1*w2_1_1 + delta2_2*w2_2_1)*a1_1*(1 - a1_1)"}
  - {about: dE/dw1_2_1, latex: '(\\delta^{(2)}_1 w^{(2)}_{12} + \\delta^{(2)}_2 w^{(2)}_{22}) a^{(1)}_2 (1 - a^{(1)}_2) x_1'}
  - {about: dE/db2_2, expr: "(a2_2 - y2)*a2_2*(1 - a2_2)"}
  - {about: w2_1_2 after, expr: "w2_1_2 - eta*delta2_1*a1_2"}
"""),
    (SOFT, """claims:
  - {about: dE/dz2_1, expr: "a2_1 - y1"}
  - {about: dE/dz2_3, latex: 'a^{(2)}_3 - y_3'}
  - {about: dE/dz1_1, expr: "((a2_1 - y1)*w2_1_1 + (a2_2 - y2)*w2_2_1 + (a2_3 - y3)*w2_3_1)*a1_1*(1 - a1_1)"}
"""),
    (SMALL, """claims:
  - {about: dE/da2_1, expr: "a2_1 - y"}
  - {about: dE/dz1_2, latex: '\\delta^{(2)}_1 w^{(2)}_{12} (1 - (a^{(1)}_2)^2)'}
"""),
]


@pytest.mark.parametrize("record", list(DIAGNOSES.values()), ids=list(DIAGNOSES))
def test_every_diagnosis_fires_on_realistic_wrong_claims(record):
    cases = CASES.get(record.id)
    assert cases, f"diagnosis {record.id!r} has no case in CASES"
    assert any("latex:" in claim for _, claim, _ in cases), f"{record.id}: no LaTeX case"
    for network, claim, line in cases:
        verdict = one(network, claim)
        assert verdict.verdict == WRONG, (claim, verdict.verdict, verdict.notes)
        found = [str(d) for d in verdict.diagnoses]
        assert [d.id for d in verdict.diagnoses] == [record.id] and line in found[0], (claim, found)


@pytest.mark.parametrize("network,claims", RIGHT, ids=["office", "wide", "softmax", "small"])
def test_no_right_claim_fires_a_diagnosis(network, claims):
    verdicts = judge(network, claims)
    for v in verdicts:
        assert v.credited and not v.diagnoses, (v.claim.about_text, v.verdict, v.true_value, v.diagnoses, v.notes)


def test_two_mistakes_in_one_claim_are_named_together():
    # the hidden layer's sum cut to one path and its activation derivative left out
    for claim in ('{about: dE/dz1_1, expr: "delta2_1*w2_1_1"}', "{about: dE/dz1_1, latex: '\\delta^{(2)}_1 w^{(2)}_{11}'}"):
        v = one(WIDE, claim)
        assert [d.id for d in v.diagnoses] == ["missing_activation_derivative", "sum_cut_to_one_path"]
        assert all(d.joint for d in v.diagnoses)
    v = one(WIDE, '{about: dE/dw1_1_2, expr: "-(delta2_1*w2_1_1 + delta2_2*w2_2_1)*x2"}')
    assert [d.id for d in v.diagnoses] == ["wrong_sign", "missing_activation_derivative"]


def test_one_explanation_per_claim_never_the_same_id_twice():
    # with y = 1, binary and categorical cross-entropy have the same derivative: one finding, not two
    v = one(OFFICE, '{about: dE/dyhat, expr: "-1/yhat"}')
    assert [d.id for d in v.diagnoses] == ["wrong_loss_derivative"]  # (every case above: exactly one id)


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
    found = [d["id"] for claim in data["claims"] for d in claim["diagnoses"]]
    assert [i for i in found if i not in ("factor_differs", "unexplained")] == [
        "wrong_loss_derivative", "gradient_of_other_weight", "pre_post_confused", "pre_post_confused"]
    for claim in data["claims"]:
        for d in claim["diagnoses"]:
            assert d["title"] == DIAGNOSES[d["id"]].title
            assert f"diagnosis: {d['title']}: {d['text']}" in render_text(result)


def test_a_new_diagnosis_is_one_record(monkeypatch):
    """A mistake the registry does not know (a third of the gradient) needs one record, no judge edit."""
    monkeypatch.setattr(findings, "DIAGNOSES", dict(DIAGNOSES))
    claim = "{about: dE/dw5, value: -0.02859}"
    assert [d.id for d in one(OFFICE, claim).diagnoses] == ["unexplained"]
    register(Diagnosis("third", "a third", "a third of ∂{loss}/∂θ",
                       lambda graph, q: [Mutation(result=lambda v: v / 3, names={"loss": "E"})]))
    assert [str(d) for d in one(OFFICE, claim).diagnoses] == ["a third: a third of ∂E/∂θ"]
