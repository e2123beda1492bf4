"""Per-output loss terms, as tutorials write the chain: E_total = Σₖ E_ok, and the partial
derivatives of one term alone (∂E_o1/∂net_o1, ∂E_o1/∂out_h1) before they are summed.

∂E_k/∂z⁽ᴸ⁾ⱼ is ∂ℓ_k/∂ŷ_k · ∂ŷ_k/∂zⱼ (only j = k for an elementwise output; every j for softmax);
below the output the recursion is the usual one, ∂E_k/∂a⁽ˡ⁾ = W⁽ˡ⁺¹⁾ᵀ ∂E_k/∂z⁽ˡ⁺¹⁾ and
∂E_k/∂z⁽ˡ⁾ = f′(z⁽ˡ⁾) ⊙ ∂E_k/∂a⁽ˡ⁾. Summed over k they are the total's (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import losses
from .model import Network
from .numeric import _scalar_function, activation_slope, forward


@dataclass
class TermPartials:
    """For one example: ``dz[k][l]`` = ∂E_k/∂z⁽ˡ⁾ and ``da[k][l]`` = ∂E_k/∂a⁽ˡ⁾ (vectors over the
    units of layer l, l = 1…L; da[k][L] is ∂E_k/∂ŷ, nonzero at k only)."""

    dz: list[list[np.ndarray]]
    da: list[list[np.ndarray]]


def term_partials(network: Network, params: dict[str, np.ndarray], x, y) -> TermPartials:
    """∂E_k/∂z and ∂E_k/∂a of every layer, for every output k, at one example."""
    zs, acts = forward(network, params, np.atleast_2d(np.asarray(x, dtype=float)))
    z = [v[0] for v in zs]
    a = [v[0] for v in acts]
    y = np.asarray(y, dtype=float)
    L = network.depth
    slope = _scalar_function(network.loss.derivative, losses.A, losses.T)
    out_act = network.layers[-1].activation
    dz, da = [], []
    for k in range(network.sizes[-1]):
        d_a = [np.zeros(network.sizes[l]) for l in range(L + 1)]
        d_z = [np.zeros(network.sizes[l]) for l in range(L + 1)]
        d_a[L][k] = float(slope(a[L][k], y[k]))
        if out_act.elementwise:
            d_z[L][k] = d_a[L][k] * float(activation_slope(out_act, z[L][k:k + 1])[0])
        else:  # ∂ŷ_k/∂z_j = ŷ_k(δ_kj − ŷ_j)
            d_z[L] = d_a[L][k] * a[L][k] * ((np.arange(len(a[L])) == k) - a[L])
        for l in range(L - 1, 0, -1):
            d_a[l] = params[f"W{l + 1}"].T @ d_z[l + 1]
            d_z[l] = d_a[l] * activation_slope(network.layers[l - 1].activation, z[l])
        dz.append(d_z)
        da.append(d_a)
    return TermPartials(dz, da)


def softmax_jacobian_values(a: np.ndarray) -> np.ndarray:
    """∂ŷᵢ/∂zⱼ = ŷᵢ(δᵢⱼ − ŷⱼ) at the output values ``a`` (rows i, columns j)."""
    return np.diag(a) - np.outer(a, a)
