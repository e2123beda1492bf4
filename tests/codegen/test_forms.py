"""codegen.forms: decisions read from the formulas, not from the activation's name."""

from __future__ import annotations

from derive.codegen import forms
from derive.codegen.emit import generate
from derive.spec import parse_network
from derive.stable import softplus


def net(*activations: str, loss: str = "binary_cross_entropy"):
    """inputs: 1, one unit per layer with each activation (a formula in x means a custom one)."""
    layers = "".join(f"  - {{units: 1, activation: custom, formula: '{a}'}}\n" if "x" in a
                     else f"  - {{units: 1, activation: {a}}}\n" for a in activations)
    return parse_network(f"inputs: 1\nlayers:\n{layers}loss: {loss}\n", "net.yaml")


def test_a_sigmoid_output_gets_the_softplus_loss_however_it_is_spelled():
    """log σ(z) becomes softplus for the registered sigmoid and for the same formula written out."""
    named = forms.output_form(net("sigmoid"))
    assert named.loss.has(softplus)
    assert forms.output_form(net("1/(1 + exp(-x))")).loss == named.loss
    assert not forms.output_form(net("tanh")).loss.has(softplus)


def test_each_custom_layer_has_its_own_helpers():
    source = generate(net("x*x", "x + x*x*x", loss="squared_error"), strategy="layer").all_sources
    assert "def custom1_bias(" in source and "def custom2_bias(" in source
    assert net("x*x").layers[0].activation.custom and not net("sigmoid").layers[0].activation.custom
