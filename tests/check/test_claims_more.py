"""Claims about everything a worked example contains: another example of the batch (``example: 2``
or ``a1[2]``), batch means, forward values and the loss after the step, values after n steps — in
every notation, error terms with their sign. Truths are cross-checked against derive.numeric."""

from __future__ import annotations

import numpy as np
import pytest
from check_nets import WIDE, judge

from derive.check.judge import CARRIED, PRECISION, RIGHT, UNJUDGED, WRONG
from derive.numeric import backprop, first_step, forward, train
from derive.spec import parse_network

X = np.array([e.x for e in WIDE.examples])
Y = np.array([e.y for e in WIDE.examples])


def test_claims_about_the_second_example():
    zs, acts = forward(WIDE, WIDE.parameters, X)
    passed = backprop(WIDE, WIDE.parameters, X[1:], Y[1:])
    a2 = acts[2][1, 0]
    verdicts = judge(WIDE, f"""claims:
  - {{about: a2_1, example: 2, value: {a2:.6f}}}
  - {{about: 'a2_1[2]', value: {a2:.6f}}}
  - {{about: dE/dz2_1, example: 2, expr: "(a2_1 - y1)*a2_1*(1 - a2_1)", value: {passed.delta[2][0, 0]:.6f}}}
  - {{about: dE/dw1_2_1, example: 2, value: {passed.grads['W1'][1, 0]:.6f}}}
  - {{about: a2_1, value: {a2:.6f}}}
""")
    assert [v.verdict for v in verdicts[:4]] == [PRECISION, PRECISION, RIGHT, PRECISION]
    assert verdicts[4].verdict == WRONG  # example 1's a2_1 is another number
    assert verdicts[0].true_value == pytest.approx(a2, rel=1e-12)


def test_batch_means_are_the_mean_over_the_examples():
    grads = backprop(WIDE, WIDE.parameters, X, Y)
    verdicts = judge(WIDE, f"""claims:
  - {{about: mean dE/dw2_1_2, value: {grads.grads['W2'][0, 1]:.7f}}}
  - {{about: dE/db1_2, example: mean, value: {grads.grads['b1'][1]:.7f}}}
  - {{about: mean E, value: {grads.loss:.7f}}}
  - {{about: mean dE/dw2_1_2, value: {-grads.grads['W2'][0, 1]:.7f}}}
  - {{about: mean dE/dw2_1_2, expr: "delta2_1*a1_2"}}
""")
    assert [v.verdict for v in verdicts] == [PRECISION, PRECISION, PRECISION, WRONG, UNJUDGED]
    assert [d.id for d in verdicts[3].diagnoses] == ["wrong_sign"]
    assert verdicts[0].true_value == pytest.approx(grads.grads["W2"][0, 1], rel=1e-10)


def test_values_after_the_step_on_this_example():
    one = backprop(WIDE, WIDE.parameters, X[:1], Y[:1])
    params = first_step(WIDE.optimizer, WIDE.parameters, one.grads, WIDE.learning_rate)
    after = backprop(WIDE, params, X[:1], Y[:1])
    verdicts = judge(WIDE, f"""claims:
  - {{about: a2_2 after, value: {after.a[2][0, 1]:.6f}}}
  - {{about: E after, value: {after.loss:.6f}}}
  - {{about: z1_1 after, value: {after.z[1][0, 0]:.6f}}}
  - {{about: w2_1_1 after, value: {params['W2'][0, 0]:.6f}}}
  - {{about: E after, value: {one.loss:.6f}}}
""")
    assert [v.verdict for v in verdicts] == [PRECISION] * 4 + [WRONG]


def test_values_after_n_full_batch_steps():
    run = train(WIDE, WIDE.parameters, X, Y, WIDE.learning_rate, 3)
    # independently: three steps of the mean gradient, by hand
    params = {k: v.copy() for k, v in WIDE.parameters.items()}
    for _ in range(3):
        g = backprop(WIDE, params, X, Y).grads
        params = {k: params[k] - WIDE.learning_rate * g[k] for k in params}
    assert np.allclose(params["W2"], run.params["W2"])
    acts = forward(WIDE, params, X)[1]
    verdicts = judge(WIDE, f"""claims:
  - {{about: w2_2_1 after 3 steps, value: {params['W2'][1, 0]:.6f}}}
  - {{about: b1_1 after step 3, value: {params['b1'][0]:.6f}}}
  - {{about: a2_1 after 3, example: 2, value: {acts[2][1, 0]:.6f}}}
  - {{about: mean E after 3, value: {run.losses[3]:.6f}}}
  - {{about: mean E after 2, value: {run.losses[3]:.6f}}}
""")
    assert [v.verdict for v in verdicts] == [PRECISION] * 4 + [WRONG]


HAN_KAMBER_2 = parse_network("""name: han_kamber_two_examples
inputs: [x1, x2]
layers:
  - {units: 2, activation: sigmoid, bias: false}
  - {units: 1, activation: sigmoid, bias: false}
loss: half_squared_error
notation: {style: flat, pre: I, post: O, target: T, delta: Err, delta_sign: -1}
parameters: {w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6}
examples: [{x: [1, 0.5], y: [1]}, {x: [0.2, -1], y: [0]}]
learning_rate: 0.5
""", "hk.yaml")


def test_error_terms_keep_their_sign_on_every_example_and_in_the_mean():
    X2 = np.array([e.x for e in HAN_KAMBER_2.examples])
    Y2 = np.array([e.y for e in HAN_KAMBER_2.examples])
    p = backprop(HAN_KAMBER_2, HAN_KAMBER_2.parameters, X2, Y2)  # Pass.delta is ∂E/∂z: Err = −δ
    err3 = -p.delta[2][:, 0]
    verdicts = judge(HAN_KAMBER_2, f"""claims:
  - {{about: Err3, example: 2, expr: "O3*(1 - O3)*(T - O3)", value: {err3[1]:.6f}}}
  - {{about: mean Err3, value: {err3.mean():.6f}}}
  - {{about: mean dE/dI3, value: {-err3.mean():.6f}}}
  - {{about: Err3, example: 2, value: {-err3[1]:.6f}}}
""")
    assert [v.verdict for v in verdicts[:4]] == [RIGHT, PRECISION, PRECISION, WRONG]
    assert [d.id for d in verdicts[3].diagnoses] == ["wrong_sign"]


def test_a_wrong_number_is_carried_only_within_its_example():
    a1_1 = forward(WIDE, WIDE.parameters, X)[1][1][1, 0]  # example 2's a⁽¹⁾₁
    verdicts = judge(WIDE, f"""claims:
  - {{about: dE/dz2_1, example: 2, value: 0.5}}
  - {{about: dE/dw2_1_1, example: 2, value: {0.5 * a1_1:.6f}}}
  - {{about: dE/dw2_1_1, example: 1, value: {0.5 * a1_1:.6f}}}
""")
    assert [v.verdict for v in verdicts] == [WRONG, CARRIED, WRONG]
    assert verdicts[1].carried_from == [1]
