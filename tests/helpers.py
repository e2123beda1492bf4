"""Shared test helpers: build small networks, and the three-way gradient comparison."""

from __future__ import annotations

import numpy as np
import sympy as sp
from click.testing import CliRunner, Result

from derive import activations as activation_registry
from derive.chain import ChainDerivation
from derive.cli import main as cli_main
from derive.numeric import backprop
from derive.spec import Network, parse_network


def small_network(sizes, activations, loss="half_squared_error", bias=True, notation="layered", extra=""):
    """A network from sizes and activations, as YAML text through the real parser. An activation
    may carry its hyperparameters as YAML (``"elu, alpha: 0.5"``)."""
    layers = "\n".join(
        f"  - {{units: {n}, activation: {a}, bias: {str(bias).lower()}}}" for n, a in zip(sizes[1:], activations)
    )
    loss_yaml = loss if isinstance(loss, str) else "{" + ", ".join(f"{k}: {v}" for k, v in loss.items()) + "}"
    return parse_network(
        f"inputs: {sizes[0]}\nlayers:\n{layers}\nloss: {loss_yaml}\nnotation: {{style: {notation}}}\n{extra}",
        "test.yaml",
    )


def random_parameters(network: Network, rng: np.random.Generator) -> dict[str, np.ndarray]:
    params = {}
    for l, layer in enumerate(network.layers, start=1):
        params[f"W{l}"] = rng.uniform(-1, 1, (layer.units, network.sizes[l - 1]))
        if layer.bias:
            params[f"b{l}"] = rng.uniform(-0.5, 0.5, layer.units)
    return params


def finite_differences(network, params, X, Y, h=1e-6):
    """Central differences of the mean loss for every parameter."""
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][index] += h
            minus[key][index] -= h
            g[index] = (backprop(network, plus, X, Y).loss - backprop(network, minus, X, Y).loss) / (2 * h)
        grads[key] = g
    return grads


def symbolic_values(chain: ChainDerivation, params, x, y) -> dict[sp.Symbol, float]:
    """Values for the inputs, targets and parameters of one example, and every forward value z, a,
    evaluated by SymPy (30 digits) from the chain's own forward equations, layer by layer. The
    closed forms are in these symbols, so they evaluate without substituting the whole forward
    pass into them (which SymPy takes minutes to do for nested GELUs)."""
    from derive.report import evaluate

    values = dict(zip(chain.s.x, x))
    values.update(zip(chain.s.y, y))
    values.update(chain.s.values_from(params))
    for l in range(1, chain.net.depth + 1):
        for j, z in enumerate(chain.s.z[l]):
            values[z] = evaluate(chain.pre_activation(l, j), values)
        for j, a in enumerate(chain.s.a[l]):
            values[a] = evaluate(chain.activation(l, j), values)
    return values


# ---------------------------------------------------------------------------------------------
# Random small networks for property-based tests: every activation, every loss family.

#: every registered hidden-layer activation at its defaults (a new record is covered as soon as it is
#: registered), and some with their hyperparameters set
ACTIVATIONS = [name for name, record in activation_registry.ACTIVATIONS.items() if not record.output_only] + [
    "elu, alpha: 0.7", "leaky_relu, slope: 0.2"]
REGRESSION_LOSSES = ["squared_error", "half_squared_error", "mean_squared_error", {"type": "huber", "delta": 0.3},
                     {"type": "pseudo_huber", "delta": 0.5}]


def draw_network(draw) -> tuple[Network, str]:
    """A random network of depth 1–3 and width 1–3, and its kind: regression, binary or softmax."""
    from hypothesis import strategies as st

    depth = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(depth + 1)]
    acts = [draw(st.sampled_from(ACTIVATIONS)) for _ in range(depth)]
    kind = draw(st.sampled_from(["regression", "binary", "softmax"]))
    if kind == "binary":
        acts[-1], loss = "sigmoid", {"type": "binary_cross_entropy", "base": draw(st.sampled_from([2, 10, "e"]))}
    elif kind == "softmax":
        sizes[-1] = max(sizes[-1], 2)
        acts[-1], loss = "softmax", "categorical_cross_entropy"
    else:
        loss = draw(st.sampled_from(REGRESSION_LOSSES))
    return small_network(tuple(sizes), acts, loss, bias=draw(st.booleans())), kind


# ---------------------------------------------------------------------------------------------
# Generated kernels: one helper generates, imports and compares a module against the derivation.

#: fixed networks every kernel target is checked on: each activation and loss family at least once
KERNEL_CASES = [
    ((1, 1, 1), ["sigmoid", "sigmoid"], "half_squared_error"),
    ((2, 2, 1), ["tanh", "sigmoid"], {"type": "binary_cross_entropy", "base": 10}),
    ((2, 3, 3), ["softplus", "softmax"], "categorical_cross_entropy"),
    ((2, 2, 2), ["swish", "linear"], "squared_error"),
    ((1, 2, 2, 1), ["relu", "leaky_relu", "sigmoid"], "mean_squared_error"),
    ((2, 2, 3), ["sigmoid", "softmax"], "mean_squared_error"),
    ((2, 3, 1), ["elu, alpha: 0.5", "gelu"], {"type": "huber", "delta": 0.4}),
    ((1, 2, 2), ["gelu_tanh", "tanh"], {"type": "custom", "formula": "'abs(yhat - y)'"}),
]


def kernel_data(network, rng, n=4, onehot=False, binary=False):
    """Inputs in [-1, 1] and targets: one-hot rows, 0/1 labels or values in [-1, 1]."""
    X = rng.uniform(-1, 1, (n, network.sizes[0]))
    if onehot:
        Y = np.eye(network.sizes[-1])[rng.integers(0, network.sizes[-1], n)]
    elif binary:
        Y = rng.integers(0, 2, (n, network.sizes[-1])).astype(float)
    else:
        Y = rng.uniform(-1, 1, (n, network.sizes[-1]))
    return X, Y


def minibatch_sgd_reference(network, params, X, Y, lr, batch_size, order):
    """NumPy mini-batch SGD over X[order]: the epoch's mean loss (each batch's loss before its
    step) and the final parameters."""
    from derive.numeric import sgd_step

    losses = []
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        result = backprop(network, params, X[rows], Y[rows])
        losses.append(result.loss * len(rows))
        params = sgd_step(params, result.grads, lr)
    return sum(losses) / len(X), params

_loaded = 0


def load_generated(network: Network, directory, dtype: str = "float64", strategy: str = "auto",
                   target: str = "cpu"):
    """Generate the Numba module for ``network`` into ``directory`` and import it."""
    from derive.codegen.emit import generate, write_module
    from derive.codegen.loading import import_generated

    global _loaded
    _loaded += 1
    path = write_module(generate(network, dtype, strategy, target), directory)
    return import_generated(path, f"generated_{_loaded}_{path.stem}")


def as_tuple(network: Network, params: dict[str, np.ndarray], dtype=np.float64) -> tuple:
    """Canonical parameter dict → the tuple generated kernels take (copies)."""
    return tuple(np.array(params[k], dtype=dtype, order="C", copy=True) for k in _keys(network))


def symbolic_gradients(network: Network, params, X, Y) -> tuple[float, dict[str, np.ndarray]]:
    """Mean loss and mean gradients from the symbolic chain, evaluated by SymPy at 30 digits."""
    from derive.report import evaluate

    chain = ChainDerivation(network)
    loss_expr = chain.loss()
    grads = {k: np.zeros_like(v, dtype=float) for k, v in params.items()}
    total = 0.0
    for x, y in zip(X, Y):
        values = symbolic_values(chain, params, x, y)
        total += evaluate(loss_expr, values)
        for p in chain.s.parameters():
            kind, l, j, k = chain.s.position(p)
            key, index = (f"W{l}", (j, k)) if kind == "weight" else (f"b{l}", (j,))
            grads[key][index] += evaluate(chain.closed_form(p), values)
    return total / len(X), {k: g / len(X) for k, g in grads.items()}


def assert_kernels_agree(module, network: Network, params, X, Y, rtol: float, atol: float = 0.0,
                         symbolic: bool = True, fd: bool = True, dtype=np.float64) -> None:
    """A generated module against the derivation: loss, forward, gradients and one SGD step agree
    with SymPy's evaluation of the symbolic chain (``symbolic``), with NumPy's layer-level
    backprop, and with central finite differences (``fd``). A CUDA module (it has ``to_device``)
    takes its SGD step on device parameters, read back with ``to_host``."""
    keys = list(params)
    theta = as_tuple(network, params, dtype)
    Xd, Yd = np.ascontiguousarray(X, dtype=dtype), np.ascontiguousarray(Y, dtype=dtype)
    reference = backprop(network, params, X, Y)
    got = dict(zip(_keys(network), module.gradients(theta, Xd, Yd)))
    assert set(got) == set(keys)
    expected_loss, expected = reference.loss, reference.grads
    if symbolic:
        expected_loss, expected = symbolic_gradients(network, params, X, Y)
    for key in keys:
        np.testing.assert_allclose(got[key], expected[key], rtol=rtol, atol=atol, err_msg=key)
    np.testing.assert_allclose(module.loss(theta, Xd, Yd), expected_loss, rtol=rtol, atol=atol)
    np.testing.assert_allclose(module.forward(theta, Xd), reference.a[-1], rtol=rtol, atol=atol)
    if fd:
        numeric = finite_differences(network, params, X, Y)
        for key in keys:
            np.testing.assert_allclose(got[key], numeric[key], rtol=1e-5, atol=1e-7, err_msg=key)
    lr = 0.3
    on_device = hasattr(module, "to_device")
    stepped = module.to_device(theta) if on_device else theta
    before = module.sgd_step(stepped, Xd, Yd, lr)
    np.testing.assert_allclose(before, expected_loss, rtol=rtol, atol=atol)
    for key, value in zip(_keys(network), module.to_host(stepped) if on_device else stepped):
        np.testing.assert_allclose(value, params[key] - lr * expected[key], rtol=rtol, atol=atol, err_msg=key)


def _keys(network: Network) -> list[str]:
    return [f"{kind}{l}" for l, layer in enumerate(network.layers, start=1)
            for kind in (("W", "b") if layer.bias else ("W",))]


# ---------------------------------------------------------------------------------------------
# Optimizers: PyTorch's own torch.optim on the same weights and batches, and ours with NumPy.

def torch_optimizer_run(network: Network, params, batches, lr: float) -> list[dict[str, np.ndarray]]:
    """torch.optim's version of ``network.optimizer``, one step per (X, Y) batch on the same
    starting weights: the parameters after each step (float64). Needs torch."""
    import torch

    activations = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}
    layers = [torch.nn.Linear(network.sizes[l - 1], layer.units, bias=layer.bias, dtype=torch.float64)
              for l, layer in enumerate(network.layers, start=1)]
    with torch.no_grad():
        for l, linear in enumerate(layers, start=1):
            linear.weight.copy_(torch.from_numpy(params[f"W{l}"]))
            if linear.bias is not None:
                linear.bias.copy_(torch.from_numpy(params[f"b{l}"]))
    keys = _keys(network)
    tensors = [p for linear in layers for p in (linear.weight, linear.bias) if p is not None]
    values = dict(network.optimizer.values)
    if network.optimizer.name == "sgd":
        optimizer = torch.optim.SGD(tensors, lr=lr, momentum=values["momentum"], weight_decay=values["weight_decay"])
    elif network.optimizer.name == "rmsprop":
        optimizer = torch.optim.RMSprop(tensors, lr=lr, alpha=values["alpha"], eps=values["eps"],
                                        weight_decay=values["weight_decay"])
    else:
        optimizer = torch.optim.Adam(tensors, lr=lr, betas=(values["beta1"], values["beta2"]), eps=values["eps"],
                                     weight_decay=values["weight_decay"])
    out = []
    for X, Y in batches:
        a, Y = torch.from_numpy(X), torch.from_numpy(Y)
        for linear, layer in zip(layers, network.layers):
            a = activations[layer.activation.name](linear(a))
        if network.loss.name == "binary_cross_entropy":
            terms = -(Y * torch.log(a) + (1 - Y) * torch.log(1 - a))
        else:
            terms = (a - Y) ** 2 / (2 if network.loss.name == "half_squared_error" else 1)
        optimizer.zero_grad()
        terms.sum(dim=1).mean().backward()
        optimizer.step()
        out.append({k: t.detach().numpy().copy() for k, t in zip(keys, tensors)})
    return out


def numpy_optimizer_run(network: Network, params, batches, lr: float) -> list[dict[str, np.ndarray]]:
    """``network.optimizer``'s NumPy step, one per batch: the parameters after each step."""
    optimizer = network.optimizer
    state = optimizer.init_state(params)
    out = []
    for X, Y in batches:
        params, state = optimizer.step(params, backprop(network, params, X, Y).grads, lr, state)
        out.append(params)
    return out


def optimizer_batches(network: Network, rng: np.random.Generator, steps: int = 6, size: int = 3) -> list:
    """``steps`` random (X, Y) batches with 0/1 targets (every loss of torch_optimizer_run takes them)."""
    return [(rng.uniform(-1, 1, (size, network.sizes[0])), rng.integers(0, 2, (size, network.sizes[-1])).astype(float))
            for _ in range(steps)]


def max_deviation(got: list[dict[str, np.ndarray]], expected: list[dict[str, np.ndarray]]) -> float:
    """The largest |difference| over every step and parameter."""
    return max(float(np.max(np.abs(np.asarray(g[k]) - e[k]))) for g, e in zip(got, expected, strict=True) for k in e)


def invoke(*args: object) -> Result:
    """``derive ARGS…`` in-process, as the console script runs it (click's standalone mode)."""
    return CliRunner().invoke(cli_main, [str(a) for a in args], prog_name="derive")


def assert_input_error(result: Result, where: object, message: str) -> None:
    """Exit code 2 and exactly one line on stderr: ``derive: error: WHERE: …message…``."""
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"derive: error: {where}: "), result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""
