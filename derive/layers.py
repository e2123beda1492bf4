"""Layer-level equations for a network of any size: indexed forms and matrix forms.

Nothing here is per weight: one equation per layer, with the activation derivative and the loss
derivative taken from their formulas. This is what a 784-128-64-10 network prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import activations, losses
from .notation import Name
from .expr import Chain, Hadamard, Partial, Transpose
from .model import Network
from .optimizers import describe_values
from .output import Z as output_Z
from .output import output_rule, softmax_delta

I, J, K = sp.symbols("i j k", integer=True)


@dataclass(frozen=True)
class Equation:
    """lhs = rhs, with a short note (the range of the indices, what it is)."""

    lhs: sp.Expr
    rhs: sp.Expr
    note: str = ""


@dataclass
class LayerEquations:
    """Indexed and matrix equations: forward, loss, δ recursion, gradients, batch update."""

    forward: list[Equation]
    loss: list[Equation]
    deltas: list[Equation]
    gradients: list[Equation]
    matrix: list[Equation]
    update: list[Equation]
    names: dict[sp.Symbol, Name]


def layer_equations(network: Network) -> LayerEquations:
    """Derive the layer-level equations of ``network``."""
    n = network.notation
    L = network.depth
    names: dict[sp.Symbol, Name] = {}

    def base(letter: str, layer: int | None, key: str) -> sp.IndexedBase:
        symbol = sp.Symbol(f"layer_{key}{'' if layer is None else layer}")
        names[symbol] = Name.make(letter, (), layer) if layer is not None else Name.make(letter)
        return sp.IndexedBase(symbol)

    def matrix(letter: str, layer: int | None, key: str) -> sp.Symbol:
        symbol = sp.Symbol(f"matrix_{key}{layer}")
        names[symbol] = Name.make(letter, (), layer) if layer is not None else Name.make(letter)
        return symbol

    z = {l: base(n.pre, l, "z") for l in range(1, L + 1)}
    a = {l: base(n.post, l, "a") for l in range(1, L + 1)}
    a[0] = base(n.input, None, "x")
    d = {l: base(n.delta, l, "d") for l in range(1, L + 1)}
    W = {l: base(n.weight, l, "W") for l in range(1, L + 1)}
    b = {l: base(n.bias, l, "b") for l in range(1, L + 1)}
    y = base(n.target, None, "y")
    E = sp.Symbol("layer_loss")
    names[E] = Name.make(n.loss)
    sizes = network.sizes

    forward, deltas, grads, mat = [], [], [], []
    for l, layer in enumerate(network.layers, start=1):
        rhs = sp.Sum(sp.Mul(W[l][J, K], a[l - 1][K], evaluate=False), (K, 1, sizes[l - 1]))
        if layer.bias:
            rhs = rhs + n.bias_sign * b[l][J]
        forward.append(Equation(z[l][J], rhs, f"j = 1…{sizes[l]}"))
        act = layer.activation
        if act.elementwise:
            forward.append(Equation(a[l][J], act.formula.subs(activations.X, z[l][J]), act.name))
        else:
            forward.append(Equation(a[l][J], sp.exp(z[l][J]) / sp.Sum(sp.exp(z[l][I]), (I, 1, sizes[l])), "softmax"))

    loss_term = network.loss.formula.subs({losses.A: a[L][J], losses.T: y[J]}, simultaneous=True)
    loss = [Equation(E, sp.Sum(loss_term, (J, 1, sizes[L])), f"{network.loss.name}, one example")]

    def slope(l: int) -> sp.Expr:
        return network.layers[l - 1].activation.slope(a[l][J], z[l][J])

    sign = network.error_term.of
    rule = output_rule(network.layers[-1].activation, network.loss)
    at = {losses.A: a[L][J], losses.T: y[J], output_Z: z[L][J]}
    if not rule.softmax:
        general = Chain(rule.loss_slope.xreplace(at), slope(L))
        shown = rule.fused.xreplace(at) if rule.fused is not None else general
        deltas.append(Equation(d[L][J], sign(shown), "output layer: ∂ℓ/∂a · f′(z)"))
    else:
        p = rule.general.xreplace(at)  # p = a·∂ℓ/∂a, cancelled
        general = sp.factor_terms(softmax_delta(p, a[L][J], sp.Sum(p.xreplace({J: I}), (I, 1, sizes[L]))))
        deltas.append(Equation(d[L][J], sign(general), "softmax output: Σᵢ ∂ℓ/∂aᵢ · ∂aᵢ/∂zⱼ"))
        if rule.fused is not None:
            deltas.append(Equation(d[L][J], sign(rule.fused.xreplace(at)), "with targets that sum to 1 (one-hot)"))
    for l in range(L - 1, 0, -1):
        rhs = sp.Mul(slope(l), sp.Sum(sp.Mul(W[l + 1][I, J], d[l + 1][I], evaluate=False), (I, 1, sizes[l + 1])), evaluate=False)
        deltas.append(Equation(d[l][J], rhs, f"hidden layer {l}"))
    for l, layer in enumerate(network.layers, start=1):
        grads.append(Equation(Partial(E, W[l][J, K]), sign(sp.Mul(d[l][J], a[l - 1][K], evaluate=False)),
                              f"{sizes[l]}×{sizes[l - 1]} weights"))
        if layer.bias:
            grads.append(Equation(Partial(E, b[l][J]), n.bias_sign * sign(d[l][J]), f"{sizes[l]} biases"))

    Wm = {l: matrix(n.weight.upper() if len(n.weight) == 1 else n.weight, l, "W") for l in range(1, L + 1)}
    zm = {l: matrix(n.pre, l, "z") for l in range(1, L + 1)}
    am = {l: matrix(n.post, l, "a") for l in range(0, L + 1)}
    names[am[0]] = Name.make(n.input)
    dm = {l: matrix(n.delta, l, "d") for l in range(1, L + 1)}
    bm = {l: matrix(n.bias, l, "b") for l in range(1, L + 1)}
    for l, layer in enumerate(network.layers, start=1):
        rhs = sp.Mul(Wm[l], am[l - 1], evaluate=False)
        mat.append(Equation(zm[l], rhs + n.bias_sign * bm[l] if layer.bias else rhs, f"{sizes[l]}×{sizes[l - 1]} · {sizes[l - 1]}"))
    for l in range(L - 1, 0, -1):
        slope_name = sp.Symbol(f"fprime{l}")
        names[slope_name] = Name(f"f'{l}(z{l})", f"f′({names[zm[l]].text})", rf"f'\!\left({names[zm[l]].latex}\right)")
        mat.append(Equation(dm[l], Hadamard(sp.Mul(Transpose(Wm[l + 1]), dm[l + 1], evaluate=False), slope_name), "δ recursion"))
    for l in range(1, L + 1):
        mat.append(Equation(Partial(E, Wm[l]), sign(sp.Mul(dm[l], Transpose(am[l - 1]), evaluate=False)),
                            "outer product"))

    N, eta, nn, theta = sp.symbols("N eta n theta")
    Lsym = sp.Symbol("L_data")
    names.update({N: Name.make("N"), eta: network.namer().learning_rate(), nn: Name.make("n"),
                  theta: network.namer().generic_parameter(), Lsym: Name("L", "L", r"\mathcal{L}")})
    En = sp.IndexedBase(E)
    update = [
        Equation(Lsym, sp.Mul(1 / N, sp.Sum(En[nn], (nn, 1, N)), evaluate=False), "mean over the N examples of a batch (seed 004)"),
        Equation(Partial(Lsym, theta), sp.Mul(1 / N, sp.Sum(Partial(En[nn], theta), (nn, 1, N)), evaluate=False), "gradients are batch means"),
    ] if network.updates.reduction == "mean" else [  # reduction: sum
        Equation(Lsym, sp.Sum(En[nn], (nn, 1, N)), "sum over the N examples"),
        Equation(Partial(Lsym, theta), sp.Sum(Partial(En[nn], theta), (nn, 1, N)), "gradients are sums"),
    ]
    optimizer = network.optimizer
    rows, own = optimizer.equations(theta, Partial(Lsym, theta), eta)
    names.update(own)
    values = describe_values(optimizer)
    last = "one gradient step" if optimizer.plain else f"one {optimizer.name} step" + (f"; {values}" if values else "")
    update += [Equation(target, rhs, last if target == theta else "") for target, rhs in rows]
    return LayerEquations(forward, loss, deltas, grads, mat, update, names)
