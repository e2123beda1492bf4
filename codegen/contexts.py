"""What each template needs from the derivation, per strategy: the unrolled program's statements
and names, the layer kernels' formulas and loops, and the CUDA templates' extras."""

from __future__ import annotations

import re
from types import SimpleNamespace

import sympy as sp

from derive.model import Network

from . import forms, vecmath
from .printer import numba_code
from .unrolled import unrolled_program

#: shared memory the unrolled CUDA kernel may use for its block reduction (bytes), and how many
#: of the summed quantities (loss, gradients) it reduces at a time
CUDA_REDUCTION_BYTES = 32 * 1024
CUDA_REDUCTION_CHUNK = 32
#: multiply-adds below which the layer kernels loop instead of calling BLAS (bench/)
BLAS_MIN_WORK = 1024


def unrolled_context(network: Network, math: str = "libm") -> dict:
    prog = unrolled_program(network, math)
    codes = [s.code for s in prog.forward + prog.backward]
    arrays = list(prog.arrays.values())
    grad_arrays = [(local, f"grad_{canonical}") for canonical, local in prog.arrays.items()]
    p = SimpleNamespace(
        scalars=[s.name for s in prog.params],
        inputs=prog.inputs,
        targets=prog.targets,
        input_columns=[f"X[i, {k}]" for k in range(len(prog.inputs))],
        target_columns=[f"Y[i, {k}]" for k in range(len(prog.targets))],
        forward=prog.forward,
        loss_only=prog.loss_only,
        backward=prog.backward,
        outputs=prog.outputs,
        output_row=", ".join(f"out[i, {j}]" for j in range(len(prog.outputs))),
        loss=prog.loss,
        loss_total=prog.loss_total,
        example_gradients=[s.example_gradient for s in prog.params],
        gradients=[s.gradient for s in prog.params],
        totals_mean=[f"{s.total} * scale" for s in prog.params],
        gradient_targets=[prog.loss, *[s.gradient for s in prog.params]],
        params=prog.params,
        arrays=prog.arrays,
        grad_arrays=grad_arrays,
        grad_array_of={canonical: grad for (_, grad), canonical in zip(grad_arrays, prog.arrays)},
        grad_tuple=tuple_text([g for _, g in grad_arrays]),
    )
    unpack = [f"    {tuple_text(arrays, bare=True)} = params"]
    unpack += [f"    {s.name} = {prog.arrays[s.array]}[{s.index}]" for s in prog.params]
    return {
        "p": p,
        "unpack_params": lambda: "\n".join(unpack),
        "used": vecmath.used_in(codes),
    }


def tuple_text(names: list[str], bare: bool = False) -> str:
    if len(names) == 1:
        return f"({names[0]},)"
    return ", ".join(names) if bare else f"({', '.join(names)})"


def cuda_context(strategy: str, kernels: dict) -> dict:
    """What the CUDA templates need beyond the CPU context of the same strategy."""
    if strategy == "layer":
        return {"host_grads_tuple": tuple_text([f"work.grad_{a}.copy_to_host()" for a in kernels["arrays"]])}
    p = kernels["p"]
    nq = 1 + len(p.params)
    chunk = min(nq, CUDA_REDUCTION_CHUNK)
    threads = min(256, 1 << (CUDA_REDUCTION_BYTES // (8 * chunk)).bit_length() - 1)
    unpack = [f"{s.name} = {p.arrays[s.array]}[{s.index}]" for s in p.params]
    p.array_names = list(p.arrays.values())
    p.array_tuple = tuple_text(p.array_names, bare=True)
    return {
        "nq": nq,
        "chunk": chunk,
        "chunks": [list(range(first, min(first + chunk, nq))) for first in range(0, nq, chunk)],
        "threads": threads,
        "unpack_scalars": lambda indent: "\n".join(" " * indent + line for line in unpack),
    }


def layer_context(network: Network, math: str = "libm", index: str = "j, i") -> dict:
    """The layer templates' context; ``index``: how an element of Z, A, Y and D is indexed, "j, i"
    (unit, example: the CPU kernels' layout, one example per column) or "i, j" (CUDA's rows)."""
    L = network.depth
    helpers: dict[str, SimpleNamespace] = {}
    layers = []
    codes: list[str] = []
    for l, layer in enumerate(network.layers, start=1):
        act = layer.activation
        form = forms.layer_form(act)
        tag = f"{act.name}{l}" if act.custom else act.name  # a custom formula is its layer's own
        if act.params:
            tag += "_" + "_".join(re.sub(r"\W", "_", f"{v:g}") for _, v in act.params)
        bias = "_bias" if layer.bias else "_apply"  # "_apply": no bias to add (and no clash with sigmoid())
        if form.activation is None:
            forward_name = f"_softmax{bias}"
            helpers.setdefault(forward_name, SimpleNamespace(kind="softmax", name=forward_name, bias=layer.bias))
        else:
            forward_name = f"_{tag}{bias}"
            code = numba_code(form.activation, math=math)
            codes.append(code)
            helpers.setdefault(forward_name, SimpleNamespace(
                kind="forward", name=forward_name, bias=layer.bias, code=code, doc=f"{act.name}(Z)"))
        slope_name = f"_{tag}_slope"
        if l < L:
            code = numba_code(form.slope, math=math)
            codes.append(code)
            helpers.setdefault(slope_name, SimpleNamespace(
                kind="slope", name=slope_name, code=code, doc=f"{act.name}′(Z)",
                uses_z=form.slope.has(forms.Z), uses_a=form.slope.has(forms.A)))
        layers.append(SimpleNamespace(
            n=l, units=layer.units, W=f"W{l}", b=f"b{l}" if layer.bias else None,
            input="X" if l == 1 else f"A{l - 1}", forward=forward_name, slope=slope_name,
            softmax=form.activation is None))
    out = forms.output_form(network)
    loss_code, delta_code = numba_code(out.loss, math=math), numba_code(out.delta, math=math)
    codes += [loss_code, delta_code]
    if any(layer.softmax for layer in layers):
        codes.append("vexp(z) vlog(total)")  # the softmax kernel's own exp and log

    def reads(expr: sp.Expr) -> list[str]:
        wanted = [(f"z = Z[{index}]", forms.Z), (f"a = A[{index}]", forms.A), (f"y = Y[{index}]", forms.Y)]
        return [line for line, symbol in wanted if expr.has(symbol)]

    arrays = [name for l in layers for name in (l.W, l.b) if name]
    forward_results = [name for l in layers for name in (f"Z{l.n}", f"A{l.n}")]
    if out.softmax:
        forward_results.append("LSE")
    return {
        "L": L,
        "layers": layers,
        "helpers": list(helpers.values()),
        "softmax": out.softmax,
        "any_bias": any(layer.bias for layer in network.layers),
        "arrays": arrays,
        "unpack": tuple_text(arrays, bare=True),
        "grads_tuple": tuple_text([f"grad_{a}" for a in arrays]),
        "grads_unpack": tuple_text([f"grad_{a}" for a in arrays], bare=True),
        "forward_results": forward_results,
        "blas_min_work": BLAS_MIN_WORK,
        "outputs": network.sizes[-1],
        "out": SimpleNamespace(
            loss=loss_code, delta=delta_code, loss_uses_lse=out.loss.has(forms.LSE),
            loss_vars=reads(out.loss), vars=reads(out.loss + out.delta),
            loss_doc=f"the {network.loss.name} term",
            delta_doc="fused form" if out.fused else "∂E/∂a · f′(z)",
            softmax_delta=forms.softmax_delta_code(index) if out.softmax else None,
        ),
        "used": vecmath.used_in(codes),
    }
