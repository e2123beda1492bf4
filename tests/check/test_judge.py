"""derive check: the seed notebook, every classic-mistake diagnosis, carried errors, verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check.claims import parse_work
from derive.check.graph import Graph
from derive.check.judge import CARRIED, PRECISION, RIGHT, UNJUDGED, UNSIMPLIFIED, WRONG, Judge, check
from derive.spec import load_network, parse_network

ROOT = Path(__file__).resolve().parents[2]
OFFICE = load_network(ROOT / "examples" / "office_hours_221.yaml")
LECTURE = load_network(ROOT / "examples" / "lecture_111.yaml")


def judge(network, claims_yaml: str):
    graph = Graph(network)
    work = parse_work(claims_yaml, "work.yaml", graph)
    return Judge(network, graph, work.derivative_symbols).judge_all(work).verdicts


def one(network, claim: str):
    return judge(network, f"claims:\n  - {claim}\n")[0]


def test_seed_002_notebook_mistakes_are_found_and_the_rest_accepted():
    result = check(OFFICE, str(ROOT / "examples" / "homework" / "office_hours_221_work.yaml"))
    by_about = {v.claim.about_text: v for v in result.verdicts}
    # ∂E/∂ŷ = ŷ − y claimed for the −log₁₀ ŷ cost
    assert by_about["dE/dyhat"].verdict == WRONG
    assert any(d.id == "wrong_loss_derivative" and "half squared error" in d.text for d in by_about["dE/dyhat"].diagnoses)
    # ∂z₁/∂a₁ evaluated as a₁(1 − a₁)
    for about in ("dz1/da1", "dz2/da2"):
        assert by_about[about].verdict == WRONG
        assert any(d.id == "pre_post_confused" for d in by_about[about].diagnoses)
    # the w₆ update computed with ∂E/∂w₅
    assert by_about["w6 after"].verdict == WRONG
    assert any(str(d) == "a gradient used for the wrong weight's update: w₆ was updated with ∂E/∂w₅"
               for d in by_about["w6 after"].diagnoses)
    # its wrong number is reported once, at its source; later claims are right given it
    for about in ("dE/dw5", "dE/dw6", "w5 after", "dE/dz1", "dE/dz2"):
        assert by_about[about].verdict == CARRIED, about
        assert by_about[about].carried_from == [8]
    chain = by_about["dE/dw5"]
    assert [f.claim.about_text for f in chain.factors if not f.credited] == ["dE/dyhat"]
    # what it got right
    for about in ("a1", "a2", "a3", "E", "dyhat/da3", "da3/dw5", "da3/dw6", "da1/dw1", "da1/dw3"):
        assert by_about[about].verdict == RIGHT, about
    for about in ("z1", "z2", "yhat"):
        assert by_about[about].verdict == PRECISION, about
    # the hidden-layer gradients carry both wrong factors (∂E/∂ŷ and ∂z/∂a), reported at #8 and #18
    assert by_about["dE/dw3"].verdict == CARRIED and by_about["dE/dw3"].carried_from == [8, 18]
    assert by_about["w3 after"].verdict == CARRIED
    assert by_about["dE/dw1"].verdict == PRECISION  # x1 = 0: right whatever the other factors
    assert not result.all_right
    assert result.score == 27 and result.total == 31


def test_missing_activation_derivative():
    v = one(LECTURE, '{about: dE/dw2, expr: "-(T - a2)*a1"}')
    assert v.verdict == WRONG
    assert any(d.id == "missing_activation_derivative" for d in v.diagnoses)


def test_wrong_sign():
    v = one(LECTURE, '{about: dE/da2, expr: "T - a2"}')
    assert v.verdict == WRONG and any(d.id == "wrong_sign" for d in v.diagnoses)


def test_wrong_weight_index_in_the_hidden_layer_sum():
    v = one(OFFICE, '{about: dE/dz1, expr: "dE_dyhat*dyhat_da3*w6"}')
    assert v.verdict == WRONG
    assert any(d.id == "wrong_weight_index" and d.text == "w₆ used where w₅ belongs" for d in v.diagnoses)


def test_updated_weight_used_where_the_old_one_belongs():
    # −0.6618 · 0.2256 · 0.5172 (w5 after the step) instead of · 0.5
    v = one(OFFICE, "{about: dE/dz1, value: -0.07722}")
    assert v.verdict == WRONG
    assert any(d.id == "updated_weight_in_backward_pass" for d in v.diagnoses)


@pytest.mark.parametrize("value,mistake", [("0.50343", "learning_rate_twice"), ("0.5858", "learning_rate_missing")])
def test_learning_rate_mistakes(value, mistake):
    v = one(OFFICE, f"{{about: w5 after, value: {value}}}")
    assert v.verdict == WRONG and any(d.id == mistake for d in v.diagnoses), v.diagnoses


def test_verdict_kinds():
    assert one(OFFICE, '{about: dyhat/da3, latex: "\\\\hat{y}(1-\\\\hat{y})"}').verdict == RIGHT
    assert one(OFFICE, '{about: dyhat/da3, expr: "sigmoid(a3)*(1 - sigmoid(a3))"}').verdict == RIGHT
    unsimplified = one(OFFICE, '{about: dyhat/da3, expr: "(yhat**2 - yhat**3)/yhat"}')
    assert unsimplified.verdict == UNSIMPLIFIED
    assert one(OFFICE, "{about: yhat, value: 0.66}").verdict == PRECISION
    assert one(OFFICE, "{about: yhat, value: 0.67}").verdict == WRONG
    assert one(OFFICE, "{about: yhat, value: '0.6562'}").verdict == PRECISION
    # the printed precision sets the tolerance: 0.656 is ±0.0005, 0.6562068 is ±5e-8 (true 0.65620639)
    assert one(OFFICE, "{about: yhat, value: 0.656}").verdict == PRECISION
    assert one(OFFICE, "{about: yhat, value: 0.6562068}").verdict == WRONG
    arithmetic = one(OFFICE, '{about: a1, expr: "x1*w1 + x2*w3", value: 0.35}')
    assert arithmetic.verdict == WRONG and arithmetic.diagnoses[0].id == "arithmetic"


def test_chain_with_a_missing_factor_is_wrong_even_with_right_factors():
    v = one(OFFICE, "{about: dE/dw5, chain: [{about: dE/dyhat}, {about: da3/dw5, expr: z1}]}")
    assert v.verdict == WRONG and any(d.id == "wrong_chain" for d in v.diagnoses)


def test_delta_and_layered_latex_names():
    three = load_network(ROOT / "examples" / "three_layer.yaml")
    graph = Graph(three)
    s = graph.s
    work = parse_work("claims:\n  - {about: 'delta3_1'}\n  - {about: '\\frac{\\partial L}{\\partial w^{(2)}_{12}}'}\n",
                      "w.yaml", graph)
    assert work.claims[0].about.den == s.z[3][0]
    assert work.claims[1].about.den == s.W[2][0][1]


def test_expression_slow_to_evaluate_is_not_judged(monkeypatch):
    import derive.check.judge as judge_module

    def slow(*args, **kwargs):
        raise judge_module.TooSlow

    monkeypatch.setattr(judge_module.Judge, "evaluate", slow)
    v = one(OFFICE, '{about: yhat, expr: "sigmoid(a3)"}')
    assert v.verdict == UNJUDGED and "longer than" in v.notes[0]


def test_time_limit_interrupts_a_long_computation():
    import time

    from derive.check.limits import TooSlow, time_limit

    start = time.perf_counter()
    with pytest.raises(TooSlow):
        with time_limit(0.2):
            while True:
                pass
    assert time.perf_counter() - start < 1.0


HAN_KAMBER = parse_network("""name: han_kamber_221
inputs: [x1, x2]
layers:
  - {units: 2, activation: sigmoid, bias: false}
  - {units: 1, activation: sigmoid, bias: false}
loss: half_squared_error
notation: {style: flat, pre: I, post: O, target: T, delta: Err, delta_sign: -1}
parameters: {w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6}
example: {x: [1, 0.5], y: [1]}
learning_rate: 0.5
""", "han_kamber.yaml")


def test_error_term_with_the_other_sign_is_judged_as_the_course_defines_it():
    # Han & Kamber: Err_j = −∂E/∂I_j, so Err3 = O3(1 − O3)(T − O3) and w ← w + η·Err·O
    right = judge(HAN_KAMBER, """claims:
  - {about: Err3, expr: "O3*(1 - O3)*(T - O3)", value: 0.078}
  - {about: dE/dI3, expr: "O3*(1 - O3)*(O3 - T)"}
  - {about: Err1, expr: "O1*(1 - O1)*Err3*w5"}
  - {about: w5 after, expr: "w5 + eta*Err3*O1"}
  - {about: dE/dw5, expr: "-Err3*O1"}
""")
    assert [v.verdict for v in right] == [RIGHT] * 5
    assert right[0].true_value == pytest.approx(0.0780208, rel=1e-5)
    wrong = one(HAN_KAMBER, '{about: Err3, expr: "O3*(1 - O3)*(O3 - T)"}')
    assert wrong.verdict == WRONG and [d.id for d in wrong.diagnoses] == ["wrong_sign"]
    # a wrong Err3 is carried into ∂E/∂w5 = −Err3·O1 with its sign, and names ∂E/∂I3 too
    carried = judge(HAN_KAMBER, "claims:\n  - {about: Err3, value: 0.090}\n  - {about: dE/dw5, value: -0.0506}\n"
                                "  - {about: dE/dI3}\n")
    assert [v.verdict for v in carried] == [WRONG, CARRIED, WRONG]
    assert carried[1].carried_from == [1] and carried[2].claimed_value == pytest.approx(-0.09)
