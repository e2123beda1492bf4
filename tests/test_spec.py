"""Bad network descriptions: an InputError naming the file, the line and what was expected (the
command line prints it as one line with exit code 2: tests/test_cli.py)."""

from __future__ import annotations

import pytest

from derive.errors import InputError
from derive.spec import parse_network

GOOD = """\
inputs: [x1, x2]
layers:
  - {units: 2, activation: sigmoid}
  - {units: 1, activation: sigmoid}
loss: half_squared_error
"""

BAD = [
    ("inputs: [x1\nlayers: []\n", 2, "YAML syntax error"),
    (GOOD + "colour: blue\n", 6, "unknown key 'colour'"),
    (GOOD.replace("units: 2", "units: two"), 3, "must be an integer"),
    (GOOD.replace("units: 2", "units: 0"), 3, "at least 1"),
    (GOOD.replace("units: 2", "units: -3"), 3, "at least 1"),
    (GOOD.replace("activation: sigmoid}", "activation: sigmoyd}", 1), 3, "unknown activation 'sigmoyd'"),
    (GOOD.replace("half_squared_error", "hinge"), 5, "unknown loss 'hinge'"),
    (GOOD + "parameters:\n  W1: [[1, 2, 3], [4, 5, 6]]\n", 7, "must be a 2×2 matrix"),
    (GOOD + "parameters:\n  w9: 1.0\n", 7, "unknown parameter 'w9'"),
    (GOOD + "example: {x: [1, 2, 3], y: [1]}\n", 6, "must have 2 value(s), got 3"),
    (GOOD + "example: {x: [1, 2]}\n", 6, "needs y"),
    (GOOD.replace("activation: sigmoid}", "activation: custom, formula: 'x * q'}", 1), 3, "unknown name 'q'"),
    (GOOD.replace("activation: sigmoid}", "activation: custom, formula: 'x +* 2'}", 1), 3, "cannot parse formula"),
    (GOOD.replace("activation: sigmoid}", "activation: custom, formula: '__import__(\"os\")'}", 1), 3, "cannot parse"),
    (GOOD.replace("half_squared_error", "{type: custom, formula: 'y^2'}"), 5, "must depend on yhat"),
    (GOOD + "learning_rate: -1\n", 6, "must be positive"),
    (GOOD + "notation: {style: fancy}\n", 6, "notation style"),
    (GOOD + "notation: {pre: 'a; rm -rf'}\n", 6, "notation.pre must be a letter"),
    (GOOD + "notation: {pre: a, post: a}\n", 6, "is used for both"),
    (GOOD.replace("inputs: [x1, x2]", "inputs: [x1, '2x']"), 1, "identifiers"),
    ("layers: []\n", 1, "missing key 'inputs'"),
    ("- 1\n- 2\n", 1, "must be a mapping"),
    (GOOD + "parameters:\n  W1: [[1, 2], [3, 4]]\n", 6, "incomplete"),
    # hyperparameters come from the activation's and the loss's records
    (GOOD.replace("activation: sigmoid}", "activation: elu, alpha: -1}", 1), 3, "alpha must be > 0, got -1"),
    (GOOD.replace("activation: sigmoid}", "activation: relu, slope: 0.1}", 1), 3,
     "unknown key 'slope' for a relu layer (expected one of: activation, bias, formula, units)"),
    (GOOD.replace("activation: sigmoid}", "activation: leaky_relu, slope: x}", 1), 3, "slope must be a number"),
    (GOOD.replace("half_squared_error", "{type: huber, delta: 0}"), 5, "delta must be > 0, got 0"),
    (GOOD.replace("half_squared_error", "{type: huber, base: 2}"), 5, "unknown key 'base' for the huber loss"),
    (GOOD.replace("half_squared_error", "{type: bce, base: 1}"), 5, "base must not be 1"),
    (GOOD.replace("half_squared_error", "{type: bce, formula: 'yhat'}"), 5, "formula is only for type: custom"),
    (GOOD + "notation: {delta_sign: 2}\n", 6, "delta_sign must be 1"),
    # issue 17's findings: the wrong type of name, huge integers, trailing newlines, control bytes
    ("name: 5\n" + GOOD, 1, "name must be an identifier"),
    ("name: [a]\n" + GOOD, 1, "name must be an identifier"),
    ('name: "net\\n"\n' + GOOD, 1, "name must be an identifier"),
    (GOOD.replace("[x1, x2]", '["x1\\n", x2]'), 1, "input names must be identifiers"),
    (GOOD + 'notation: {pre: "a\\n"}\n', 6, "notation.pre must be a letter"),
    (GOOD + "learning_rate: " + "9" * 400 + "\n", 6, "a number's length in characters is 400; at most 100"),
    (GOOD + 'description: "a\x00b"\n', 6, "the control character U+0000 is not allowed"),
    (GOOD + "description: a\x07b\n", 6, "the control character U+0007 is not allowed"),
]


@pytest.mark.parametrize("text,line,message", BAD, ids=[m for _, _, m in BAD])
def test_bad_input_names_file_line_and_expectation(text, line, message):
    with pytest.raises(InputError) as info:
        parse_network(text, "net.yaml")
    assert "\n" not in str(info.value)  # one line
    assert info.value.file == "net.yaml"
    assert info.value.line == line, str(info.value)
    assert message in info.value.message


def test_hyperparameters_reach_the_formulas():
    net = parse_network(GOOD.replace("activation: sigmoid}", "activation: elu, alpha: 0.5}", 1)
                        .replace("half_squared_error", "{type: huber, delta: 0.25}"))
    assert net.layers[0].activation.params == (("alpha", 0.5),)
    assert net.loss.params == (("delta", 0.25),)
    e = parse_network(GOOD.replace("half_squared_error", "{type: bce, base: e}"))
    assert e.loss.params == ()  # the default is not a parameter worth naming


def test_exponent_notation_is_a_number():
    """YAML 1.2 reads 1e-3 as a number; PyYAML's YAML 1.1 would read it as text."""
    net = parse_network(GOOD + "learning_rate: 1e-3\noptimizer: {type: adam, eps: 1E-8}\nparameters: {W1: [[1e0, 2], "
                        "[3, 4]], b1: [0, 0], W2: [[1, 1]], b2: [-2.5e-1]}\n")
    assert net.learning_rate == 0.001 and dict(net.optimizer.values)["eps"] == 1e-8
    assert net.parameters["b2"][0] == -0.25
    assert parse_network(GOOD + "description: '1e-3'\n").description == "1e-3"  # quoted stays text


def test_parameters_three_ways_agree():
    by_layer = parse_network(GOOD + "parameters: {W1: [[1, 2], [3, 4]], b1: [5, 6], W2: [[7, 8]], b2: [9]}\n")
    by_id = parse_network(GOOD + "parameters: {'W1[0,0]': 1, 'W1[0,1]': 2, 'W1[1,0]': 3, 'W1[1,1]': 4, "
                          "'b1[0]': 5, 'b1[1]': 6, 'W2[0,0]': 7, 'W2[0,1]': 8, 'b2[0]': 9}\n")
    by_name = parse_network(GOOD + "parameters: {w1_1_1: 1, w1_1_2: 2, w1_2_1: 3, w1_2_2: 4, b1_1: 5, b1_2: 6, "
                            "w2_1_1: 7, w2_1_2: 8, b2_1: 9}\n")
    for key in by_layer.parameters:
        assert (by_layer.parameters[key] == by_id.parameters[key]).all()
        assert (by_layer.parameters[key] == by_name.parameters[key]).all()
