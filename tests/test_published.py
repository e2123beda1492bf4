"""Published worked examples (examples/published/), each number the source prints, read from the
JSON report by the source's own names. Where a source is wrong, the test asserts derive's exact
value and says what the source did (README: "Published worked examples")."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.render.json_out import report_dict
from derive.report import build_report
from derive.spec import load_network

PUBLISHED = Path(__file__).resolve().parent.parent / "examples" / "published"


def printed(value: float, text: str) -> bool:
    """Whether ``value`` rounds to ``text`` at the precision ``text`` is printed with."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(value - float(text)) <= 0.5 * 10 ** (-decimals) + 1e-12


class Book:
    """A published example's JSON report, read by the book's names."""

    def __init__(self, file: str):
        self.report = build_report(load_network(PUBLISHED / file))
        self.json = report_dict(self.report)
        self.ids = self.json["names"]["by_name"]

    def id(self, name: str) -> str:
        return self.ids[name]

    def value(self, name: str, when: str = "forward", example: int = 0) -> float:
        """A forward value, loss term or the loss, before the step or ``after`` it."""
        ident, data = self.id(name), self.json[when]
        if ident == "E":
            return data["per_example"][example]
        if ident.startswith("E["):
            return data["terms"][example][int(ident[2:-1])]
        return data["values"][ident][example]

    def parameter(self, name: str, field: str = "value") -> float:
        if name in self.json["shared"]:
            return self.json["shared"][name][field]
        return self.json["parameters"][self.id(name)][field]

    def delta(self, name: str, example: int = 0) -> float:
        """An error term δ (with the book's sign) by its name."""
        ident = self.id(name)  # delta{l}[{j}]
        return self.json["nodes"]["L" + ident[len("delta"):]]["delta_values"][example]

    def change(self, name: str) -> float:
        """Δθ of the first step: updated − value."""
        return self.parameter(name, "updated") - self.parameter(name)

    def term_partial(self, term: str, of: str, example: int = 0) -> float:
        """∂E_k/∂(a node value) of one output's loss term."""
        return self.json["loss_terms"][example][self.id(term)][self.id(of)]


# ---------------------------------------------------------------------------------------------
# Matt Mazur, "A Step by Step Backpropagation Example" (2015).

@pytest.fixture(scope="module")
def mazur():
    return Book("mazur_2x2x2.yaml")


@pytest.mark.parametrize("name,text", [
    ("net_h1", "0.3775"), ("out_h1", "0.593269992"), ("out_h2", "0.596884378"),
    ("net_o1", "1.105905967"), ("out_o1", "0.75136507"), ("out_o2", "0.772928465"),
    ("E_o1", "0.274811083"), ("E_o2", "0.023560026"), ("E_total", "0.298371109"),
])
def test_mazur_forward_pass(mazur, name, text):
    assert printed(mazur.value(name), text)


def test_mazur_output_chain(mazur):
    w5 = mazur.json["parameters"][mazur.id("w5")]
    factors = [f["value"] for f in w5["chain"]]
    for value, text in zip(factors, ["0.74136507", "0.186815602", "0.593269992"]):
        assert printed(value, text)  # ∂E_total/∂out_o1, ∂out_o1/∂net_o1, ∂net_o1/∂w5
    assert printed(w5["gradient"], "0.082167041")


def test_mazur_hidden_chain_by_loss_terms(mazur):
    assert printed(mazur.term_partial("E_o1", "net_o1"), "0.138498562")
    assert printed(mazur.term_partial("E_o1", "out_h1"), "0.055399425")
    # Printed -0.019049119: ∂E_o2/∂net_o2 · w7 = -0.03809823652 × 0.50 = -0.01904911826, whose ninth
    # decimal is 8; the post multiplies the rounded -0.038098237 (= -0.0190491185, rounded up again).
    assert printed(mazur.term_partial("E_o2", "out_h1"), "-0.019049118")
    assert not printed(mazur.term_partial("E_o2", "out_h1"), "-0.019049119")
    assert printed(mazur.term_partial("E_o2", "net_o2"), "-0.038098237")
    total = mazur.term_partial("E_o1", "out_h1") + mazur.term_partial("E_o2", "out_h1")
    assert printed(total, "0.036350306")
    w1 = mazur.json["parameters"][mazur.id("w1")]
    assert [printed(f["value"], t) for f, t in zip(w1["chain"], ["0.036350306", "0.241300709", "0.05"])] == [True] * 3
    assert printed(w1["gradient"], "0.000438568")


@pytest.mark.parametrize("name,text", [
    ("w5", "0.35891648"), ("w6", "0.408666186"), ("w7", "0.511301270"), ("w8", "0.561370121"),
    ("w1", "0.149780716"), ("w2", "0.19956143"), ("w3", "0.24975114"), ("w4", "0.29950229"),
])
def test_mazur_updated_weights(mazur, name, text):
    assert printed(mazur.parameter(name, "updated"), text)


def test_mazur_biases_are_shared_and_never_updated(mazur):
    for name, value in (("b1", 0.35), ("b2", 0.60)):
        assert mazur.parameter(name) == mazur.parameter(name, "updated") == value
        assert mazur.json["shared"][name]["fixed"]


def test_mazur_error_after_the_first_update(mazur):
    # Mazur prints 0.291027924. With the weights he prints (every gradient at the original weights,
    # as his text says) the error is 0.291027774; 0.291027924 is what one gets when the hidden
    # layer's error is propagated through the *already updated* w5…w8 (checked below).
    after = mazur.json["after"]["loss"]
    assert printed(after, "0.291027774") and not printed(after, "0.291027924")


def test_mazur_after_10000_updates(mazur):
    # Printed: error 0.0000351085, outputs 0.015912196 and 0.984065734 — the same slip, 10,000 times.
    training = mazur.json["training"]
    assert training["steps"] == 10000
    assert printed(training["losses"][-1], "0.0000351019")
    assert printed(training["outputs"][0][0], "0.015913620") and printed(training["outputs"][0][1], "0.984064274")
    assert not printed(training["losses"][-1], "0.0000351085")


def test_mazur_printed_after_values_come_from_the_updated_output_weights():
    """Reproduce Mazur's slip by hand, to show where 0.291027924 comes from (not derive's rule)."""
    import numpy as np

    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    x, y = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    W1, W2, b1, b2 = np.array([[.15, .2], [.25, .3]]), np.array([[.4, .45], [.5, .55]]), .35, .6
    h = sig(W1 @ x + b1)
    o = sig(W2 @ h + b2)
    d2 = (o - y) * o * (1 - o)
    W2 = W2 - 0.5 * np.outer(d2, h)
    W1 = W1 - 0.5 * np.outer((W2.T @ d2) * h * (1 - h), x)  # the slip: the new W2
    o = sig(W2 @ sig(W1 @ x + b1) + b2)
    assert printed(0.5 * ((y - o) ** 2).sum(), "0.291027924")


# ---------------------------------------------------------------------------------------------
# Negnevitsky, "Artificial Intelligence: A Guide to Intelligent Systems", the XOR network:
# thresholds θ (bias_sign: -1), w13 from neuron 1 to 3, δ = y(1 − y)e with e = y_d − y, α = 0.1.

@pytest.fixture(scope="module")
def negnevitsky():
    return Book("negnevitsky_xor.yaml")


def test_negnevitsky_forward_and_error_gradients(negnevitsky):
    b = negnevitsky
    for name, text in (("y3", "0.5250"), ("y4", "0.8808"), ("y5", "0.5097")):
        assert printed(b.value(name), text)
    e = -b.json["output_factors"][0]["dE_dyhat"]["y5"]  # e = y_d − y5 = −∂E/∂y5
    assert printed(e, "-0.5097")
    for name, text in (("delta5", "-0.1274"), ("delta3", "0.0381"), ("delta4", "-0.0147")):
        assert printed(b.delta(name), text)


@pytest.mark.parametrize("name,change,new", [
    ("w35", "-0.0067", "-1.2067"), ("w45", "-0.0112", "1.0888"), ("theta5", "0.0127", "0.3127"),
    ("w13", "0.0038", "0.5038"), ("w23", "0.0038", "0.4038"), ("theta3", "-0.0038", "0.7962"),
    ("w14", "-0.0015", "0.8985"), ("w24", "-0.0015", "0.9985"), ("theta4", "0.0015", "-0.0985"),
])
def test_negnevitsky_weight_corrections(negnevitsky, name, change, new):
    assert printed(negnevitsky.change(name), change)
    assert printed(negnevitsky.parameter(name, "updated"), new)


def test_negnevitsky_threshold_enters_with_minus_one(negnevitsky):
    chain = negnevitsky.json["parameters"][negnevitsky.id("theta5")]["chain"]
    assert chain[-1]["value"] == -1.0  # ∂X5/∂θ5 = −1: the fixed input −1 of the book


# ---------------------------------------------------------------------------------------------
# wikidocs.net/37406 (as printed at holamundo.tistory.com): 2-2-2 without biases.

@pytest.fixture(scope="module")
def wikidocs():
    return Book("wikidocs_2x2x2.yaml")


@pytest.mark.parametrize("name,text", [
    ("z1", "0.08"), ("z2", "0.11"), ("h1", "0.51998934"), ("h2", "0.52747230"), ("z3", "0.44498412"),
    ("z4", "0.68047592"), ("o1", "0.60944600"), ("o2", "0.66384491"), ("E_o1", "0.02193381"),
    ("E_o2", "0.00203809"), ("E_total", "0.02397190"),
])
def test_wikidocs_forward_pass_and_error_terms(wikidocs, name, text):
    assert printed(wikidocs.value(name), text)


# ---------------------------------------------------------------------------------------------
# PostNetwork Academy, softmax + cross-entropy with one bias per layer. The post's z(4) is wrong.

@pytest.fixture(scope="module")
def postnetwork():
    return Book("postnetwork_softmax.yaml")


def test_postnetwork_hidden_layer(postnetwork):
    for name, text in (("z1", "-0.3"), ("z2", "0"), ("a1", "0.426"), ("a2", "0.5"), ("z3", "0.428")):
        assert printed(postnetwork.value(name), text)


def test_postnetwork_output_where_the_post_is_wrong(postnetwork):
    # Printed z(4) ≈ 0.185, but −0.1(0.426) + 0.2(0.5) + 0.1 = 0.157 (its own numbers); the softmax
    # outputs and the loss it prints (0.561, 0.439, 0.579) follow from the wrong z(4).
    b = postnetwork
    assert printed(b.value("z4"), "0.157") and not printed(b.value("z4"), "0.185")
    assert printed(b.value("yhat1"), "0.567") and not printed(b.value("yhat1"), "0.561")
    assert printed(b.value("yhat2"), "0.433") and not printed(b.value("yhat2"), "0.439")
    assert printed(b.value("L"), "0.567") and not printed(b.value("L"), "0.579")


def test_postnetwork_w8_joins_a1_to_z4(postnetwork):
    # The post writes ∂L/∂w8 = (ŷ1 − y1)a(2), but its own forward pass uses w8 from a(1) to z(4):
    # ∂L/∂w8 = (ŷ2 − y2)·a(1).
    w8 = postnetwork.json["parameters"][postnetwork.id("w8")]
    assert w8["chain"][-1]["expr"]["text"] == "a₁"
    yhat2, a1 = postnetwork.value("yhat2"), postnetwork.value("a1")
    assert w8["gradient"] == pytest.approx((yhat2 - 0) * a1, rel=1e-12)


def test_postnetwork_softmax_factors(postnetwork):
    f = postnetwork.json["output_factors"][0]
    y1 = postnetwork.value("yhat1")
    assert f["dE_dyhat"]["yhat1"] == pytest.approx(-1 / y1) and f["dE_dyhat"]["yhat2"] == 0
    assert f["dyhat_dz"][0][0] == pytest.approx(y1 * (1 - y1)) and f["dyhat_dz"][0][1] == pytest.approx(-y1 * (1 - y1))
    dz3 = sum(f["dE_dyhat"][r] * f["dyhat_dz"][i][0] for i, r in enumerate(f["rows"]))
    assert dz3 == pytest.approx(y1 - 1)  # the factors collapse to ŷ − y


def test_postnetwork_shared_bias_gradient_is_the_sum(postnetwork):
    shared = postnetwork.json["shared"]["b2"]
    members = [postnetwork.json["parameters"][i]["gradient"] for i in shared["ids"]]
    assert shared["gradient"] == pytest.approx(sum(members))


# ---------------------------------------------------------------------------------------------
# hmkcode, "Backpropagation Step by Step": linear 2-2-1 without biases, a = 0.05.

@pytest.fixture(scope="module")
def hmkcode():
    return Book("hmkcode_linear.yaml")


def test_hmkcode_forward_and_delta(hmkcode):
    for name, text in (("h1", "0.85"), ("h2", "0.48"), ("out", "0.191"), ("Error", "0.327")):
        assert printed(hmkcode.value(name), text)
    assert printed(hmkcode.json["output_factors"][0]["dE_dyhat"]["out"], "-0.809")  # Δ = prediction − actual


@pytest.mark.parametrize("name,text", [
    ("w6", "0.17"), ("w5", "0.17"), ("w4", "0.10"), ("w3", "0.13"), ("w2", "0.23"), ("w1", "0.12"),
])
def test_hmkcode_updated_weights(hmkcode, name, text):
    assert printed(hmkcode.parameter(name, "updated"), text)


def test_hmkcode_prediction_after_the_step(hmkcode):
    assert printed(hmkcode.value("out", "after"), "0.26")


# ---------------------------------------------------------------------------------------------
# Han, Kamber & Pei, Figure 9.5, in the book's compact names (w14, θ4).

@pytest.fixture(scope="module")
def han_kamber():
    return Book("han_kamber_fig95.yaml")


def test_han_kamber_compact_names(han_kamber):
    assert han_kamber.id("w14") == "W1[0,0]" and han_kamber.id("w46") == "W2[0,0]"
    assert han_kamber.id("theta4") == "b1[0]" and han_kamber.id("Err6") == "delta2[0]"


def test_han_kamber_tables(han_kamber):
    b = han_kamber
    for name, text in (("I4", "-0.7"), ("I5", "0.1"), ("I6", "-0.105"), ("O4", "0.332"), ("O5", "0.525"),
                       ("O6", "0.474")):
        assert printed(b.value(name), text)
    assert printed(b.delta("Err5"), "-0.0065") and printed(b.delta("Err4"), "-0.0087")
    # Printed Err6 = 0.1311: the value is 0.13117, which rounds to 0.1312 (the book truncates).
    assert printed(b.delta("Err6"), "0.1312") and not printed(b.delta("Err6"), "0.1311")


@pytest.mark.parametrize("name,text", [
    ("w46", "-0.261"), ("w56", "-0.138"), ("theta6", "0.218"), ("w14", "0.192"), ("w15", "-0.306"),
    ("w24", "0.4"), ("w25", "0.1"), ("w34", "-0.508"), ("w35", "0.194"), ("theta5", "0.194"), ("theta4", "-0.408"),
])
def test_han_kamber_updates(han_kamber, name, text):
    assert printed(han_kamber.parameter(name, "updated"), text)


# ---------------------------------------------------------------------------------------------
# "Appendix B: An Example of Back-propagation Algorithm" (2011): Han & Kamber's network with the
# biases named as weights from a unit 0 (w04, w05, w06).

@pytest.fixture(scope="module")
def appendix_b():
    return Book("appendix_b_w0j.yaml")


def test_appendix_b_bias_names(appendix_b):
    assert appendix_b.id("w04") == "b1[0]" and appendix_b.id("w06") == "b2[0]"
    assert appendix_b.json["parameters"]["b1[0]"]["text"] == "w₀₄"


def test_appendix_b_tables(appendix_b):
    b = appendix_b
    for name, text in (("I4", "-0.7"), ("I5", "0.1"), ("I6", "-0.105"), ("O4", "0.332"), ("O5", "0.525"),
                       ("O6", "0.474")):
        assert printed(b.value(name), text)
    # One copy of Table 2 prints O6 = 1/(1 + e^{-0.105}) = 0.474; that expression is 0.526: the
    # output is 1/(1 + e^{0.105}) (I6 = −0.105).
    assert printed(b.value("O6"), "0.474")
    assert printed(b.delta("delta5"), "-0.0065") and printed(b.delta("delta4"), "-0.0087")
    assert printed(b.delta("delta6"), "0.1312") and not printed(b.delta("delta6"), "0.1311")  # truncated


@pytest.mark.parametrize("name,text", [
    ("w46", "-0.261"), ("w56", "-0.138"), ("w14", "0.192"), ("w15", "-0.306"), ("w24", "0.4"), ("w25", "0.1"),
    ("w34", "-0.508"), ("w35", "0.194"), ("w06", "0.218"), ("w05", "0.194"), ("w04", "-0.408"),
])
def test_appendix_b_updates(appendix_b, name, text):
    assert printed(appendix_b.parameter(name, "updated"), text)


def test_negnevitsky_training_set_online_first_step_is_the_books_step():
    b = Book("negnevitsky_xor_training.yaml")
    assert b.json["updates"]["schedule"] == "online" and b.json["updates"]["reduction"] == "sum"
    assert b.json["trace"]["examples"] == [0, 1, 2, 3, 0, 1, 2, 3]
    for name, new in (("w13", "0.5038"), ("w14", "0.8985"), ("w35", "-1.2067"), ("w45", "1.0888"), ("theta5", "0.3127")):
        assert printed(b.parameter(name, "updated"), new)
    per = b.json["forward"]["per_example"]
    assert b.json["trace"]["losses"][0] == pytest.approx(sum(per))  # the error summed over the patterns


# ---------------------------------------------------------------------------------------------
# askfilo.com: a linear neuron ŷ = wx + b, MSE over four points, α = 0.1; (a) batch, (b) mini-batches of 2.

def test_askfilo_batch_epoch():
    b = Book("askfilo_linear_batch.yaml")
    errors = [yhat - y for yhat, y in zip(b.json["forward"]["values"][b.id("yhat")], (3, 5, 7, 9))]
    assert errors == [-3, -5, -7, -9]  # e = ŷ − y at w = b = 0
    assert printed(b.parameter("w", "gradient"), "-35") and printed(b.parameter("b", "gradient"), "-12")
    assert printed(b.parameter("w", "updated"), "3.5") and printed(b.parameter("b", "updated"), "1.2")


def test_askfilo_minibatch_epoch():
    b = Book("askfilo_linear_minibatch.yaml")
    trace = b.json["trace"]
    assert trace["examples"] == [0, 2]  # B1 = points 1-2, B2 = points 3-4
    g_w, g_b = trace["gradients"][b.id("w")], trace["gradients"][b.id("b")]
    assert [printed(v, t) for v, t in zip(g_w + g_b, ["-13", "-18.9", "-8", "-5.3"])] == [True] * 4
    w, c = trace["parameters"][b.id("w")], trace["parameters"][b.id("b")]
    assert [printed(v, t) for v, t in zip(w[1:] + c[1:], ["1.3", "3.19", "0.8", "1.33"])] == [True] * 4
    first = trace["values"][b.id("yhat")][0]  # B1's errors at w = b = 0
    assert [first[0] - 3, first[1] - 5] == [-3, -5]
    yhat = trace["values"][b.id("yhat")][1]  # B2's predictions, at the parameters after B1
    assert printed(yhat[2], "4.7") and printed(yhat[3], "6.0")
    assert printed(yhat[2] - 7, "-2.3") and printed(yhat[3] - 9, "-3.0")
