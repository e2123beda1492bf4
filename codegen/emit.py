"""Render a network's Numba module from the Jinja2 templates, and write it atomically.

The templates (codegen/templates) hold the skeleton; every formula in them was printed by
``printer.numba_code`` from ``forms`` (layer strategy) or ``unrolled`` (unrolled strategy).
Each target has one template per strategy: ``{strategy}.py.j2`` for the CPU (``numba.njit``) and
``cuda_{strategy}.py.j2`` for CUDA (``numba.cuda.jit`` kernels with a host-side driver); both
targets print the same formulas.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import black
import jinja2
import numpy as np

import derive
from derive.activations import HE
from derive.errors import InputError
from derive.files import write_unless_same
from derive.model import Network
from derive.yaml_source import load_yaml

from . import contexts, forms, vecmath
from .printer import MATH_MODES, UnsupportedExpression
from .update import update_context

STRATEGIES = ("auto", "unrolled", "layer")
DTYPES = ("float64", "float32")
TARGETS = ("cpu", "cuda")
#: the auto strategy unrolls networks with at most this many parameters (the lecture nets)
UNROLL_LIMIT = 64
#: how the CPU modules compile their scalar code (the unrolled strategy's functions; σ, softplus
#: and tanh under --math libm): a·b + c contracted into one fused multiply-add (one rounding
#: instead of two, and a shorter chain of latencies in straight-line code: 6 % off the lecture
#: net's step)
UNROLLED_JIT_OPTIONS = 'cache=True, fastmath={"contract"}'
#: what a CPU layer module calls from its shared file (the rest are the kernels these call)
PASSES = ("_backprop", "_forward", "_optimizer_epoch", "_sgd_epoch", "output_loss")
#: spec parameters are written into the module as literals up to this many values
SPEC_LITERAL_LIMIT = 1000

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("derive.codegen", "templates"),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
)
_ENV.globals["zip"] = zip
_ENV.filters["rstrip"] = lambda text: str(text).rstrip()  # a macro's lines without its last newline
_ENV.filters["public"] = lambda name: name.lstrip("_")  # a layer kernel's name in the shared file
_ENV.filters["flat"] = lambda array: f"{array}.reshape({array}.size)"  # a flat view, for element kernels


@dataclass(frozen=True)
class GeneratedModule:
    """One generated module: its file name, source and the strategy it was built with."""

    filename: str
    source: str
    strategy: str
    dtype: str
    target: str = "cpu"
    #: files the module imports from beside it: (file name, source) of its shared layer kernels
    support: tuple[tuple[str, str], ...] = ()

    @property
    def all_sources(self) -> str:
        """The module's source and those of the files it imports, one after the other."""
        return "\n".join([self.source, *(source for _, source in self.support)])


def choose_strategy(network: Network, strategy: str = "auto") -> str:
    """``unrolled`` for networks of at most UNROLL_LIMIT parameters, else ``layer``."""
    if strategy != "auto":
        return strategy
    return "unrolled" if network.parameter_count <= UNROLL_LIMIT else "layer"


def module_filename(network: Network, dtype: str, target: str = "cpu") -> str:
    """``{name}.py``, with ``_cuda`` for the CUDA target and ``_float32`` for float32."""
    suffix = ("_cuda" if target == "cuda" else "") + ("" if dtype == "float64" else f"_{dtype}")
    return f"{network.name}{suffix}.py"


def generate(network: Network, dtype: str = "float64", strategy: str = "auto",
             target: str = "cpu", math: str = "fast") -> GeneratedModule:
    """The source of the Numba module for ``network``; InputError if it cannot be compiled.

    ``math="fast"`` embeds ``vecmath``'s vectorisable functions in the layer strategy's loops;
    ``"libm"`` calls ``math.exp`` and friends as before. The unrolled strategy (straight-line
    scalar code, bound by each call's latency, where libm's table-driven exp is about 3× quicker)
    and CUDA (libdevice) always call libm."""
    for value, allowed, what in ((dtype, DTYPES, "dtype"), (strategy, STRATEGIES, "strategy"),
                                 (target, TARGETS, "target"), (math, MATH_MODES, "math")):
        if value not in allowed:
            raise InputError(f"unknown {what} {value!r} (expected one of: {', '.join(allowed)})")
    u = network.updates
    if u.reduction != "mean" or u.schedule != "batch" or u.fixed or u.shared or u.batch_size or network.notation.bias_sign != 1:
        raise InputError("codegen does not generate reduction: sum, schedule: online, fixed:, shared: or "
                         "thresholds (bias_sign: -1) yet; remove them to generate a module", network.source)
    chosen = choose_strategy(network, strategy)
    requested, math = math, (math if target == "cpu" and chosen == "layer" else "libm")
    try:
        forms.check_printable(network)
        context = _module_context(network, dtype, chosen, target, math, requested)
        kernels = (contexts.unrolled_context(network, math) if chosen == "unrolled" else
                   contexts.layer_context(network, math, "i, j" if target == "cuda" else "j, i"))
        if target == "cuda":
            kernels.update(contexts.cuda_context(chosen, kernels))
        kernels["u"] = update_context(network, chosen, target, kernels)
        used = kernels.pop("used")
        m = context["m"]
        m.kernels_apart = target == "cpu" and chosen == "layer"
        m.uses_sigmoid, m.uses_softplus, m.uses_tanh = ("sigmoid" in used, "softplus" in used, "tanh" in used)
        m.vector_functions = ([(m.vector_decorator(name), vecmath.source(name)) for name in vecmath.needed(used)]
                              if math == "fast" else [])
        template = f"cuda_{chosen}.py.j2" if target == "cuda" else f"{chosen}.py.j2"
        support = ()
        if m.kernels_apart:
            kernels["k"], support = _shared_kernels(network, context, kernels, math)
        source = _ENV.get_template(template).render(**context, **kernels)
    except UnsupportedExpression as exc:
        raise _refusal(network, exc) from None
    return GeneratedModule(module_filename(network, dtype, target), format_source(source), chosen, dtype,
                           target, support)


def write_module(module: GeneratedModule, directory: str | Path) -> Path:
    """Write the module into ``directory``, atomically, after the shared kernels it imports; a file
    that already holds the same text is left alone (``derive.files.write_unless_same``)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError("the output folder does not exist", str(directory))
    for filename, source in module.support:
        write_unless_same(directory / filename, source)
    return write_unless_same(directory / module.filename, module.source)


def _shared_kernels(network: Network, context: dict, kernels: dict, math: str) -> tuple[SimpleNamespace, tuple]:
    """The compiled passes and layer kernels a CPU layer module imports, as their own file named by
    the hash of its text: modules whose layers have the same activations and biases, with the same
    loss, optimizer and math, share it (and Numba's cache of it) whatever their sizes, so a new
    network of a kind seen before compiles nothing."""
    u = kernels["u"]
    layers = " → ".join(layer.activation.name + ("" if layer.bias else " (no bias)") for layer in network.layers)
    k = SimpleNamespace(doc=f"layers {layers}; {context['m'].loss};\n{u.doc}; --math {math}")
    source = format_source(_ENV.get_template("layer_kernels.py.j2").render(**context, **kernels, k=k))
    k.module = "derive_layers_" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    defined = re.findall(r"^def (\w+)", source, flags=re.MULTILINE)
    k.imported = [name for name in PASSES if name in defined]
    k.constants = [name for name, _ in u.constants]
    return k, ((f"{k.module}.py", source),)


# ---------------------------------------------------------------------------------------------


def _refusal(network: Network, exc: UnsupportedExpression) -> InputError:
    """The refusal, located at the offending layer's activation (or the loss) in the spec."""
    message = f"cannot generate Numba code: {exc}"
    path = exc.path if exc.path is not None else ("loss",)
    try:
        return load_yaml(network.text, network.source).error(path, message)
    except Exception:  # the text is not at hand (a network built in code)
        return InputError(message, network.source)


def format_source(source: str) -> str:
    """Black's layout (line length 100), so generated code reads like the rest of the project."""
    return black.format_str(source, mode=black.Mode(line_length=100))


def _join(head: str, args: list[str], indent: int = 0, tail: str = "") -> str:
    """``head(args)tail`` on one line at ``indent``; black wraps it."""
    return f"{' ' * indent}{head}({', '.join(args)}){tail}"


def _module_context(network: Network, dtype: str, strategy: str, target: str = "cpu",
                    math: str = "libm", requested: str = "fast") -> dict:
    sizes = network.sizes
    shapes = {}  # each parameter's shape, W{l} as torch.nn.Linear stores it
    for l, layer in enumerate(network.layers, start=1):
        shapes[f"W{l}"] = (sizes[l], sizes[l - 1])
        if layer.bias:
            shapes[f"b{l}"] = (sizes[l],)
    param_names = list(shapes)
    acts = [layer.activation.name for layer in network.layers]
    loss = network.loss.name + "".join(f" ({k} {v:g})" for k, v in network.loss.params)
    m = SimpleNamespace(
        name=network.name,
        shape="-".join(map(str, sizes)),
        activations=" → ".join(acts),
        loss=loss,
        version=derive.__version__,
        options=f" --dtype {dtype} --strategy {strategy}" + (" --target cuda" if target == "cuda" else "")
        + (" --math libm" if requested == "libm" and target == "cpu" else ""),
        fast=math == "fast",
        exp="vexp" if math == "fast" else "math.exp",
        log="vlog" if math == "fast" else "math.log",
        # vecmath's functions and the loops that call them compile with vecmath.JIT_OPTIONS, so
        # that LLVM can inline and vectorise them (vecmath.INLINE: the ones too large for LLVM's
        # inliner, inlined by Numba instead)
        vector_decorator=lambda name: f"@numba.njit(cache=True, {vecmath.jit_options_text()}"
        + (', inline="always")' if name in vecmath.INLINE else ")"),
        loop_flags=f", {vecmath.jit_options_text()}" if math == "fast" else "",
        cuda=target == "cuda",
        jit=f"@numba.njit({UNROLLED_JIT_OPTIONS})",
        scalar_decorator="@cuda.jit(device=True)" if target == "cuda" else f"@numba.njit({UNROLLED_JIT_OPTIONS})",
        # σ, softplus and tanh inlined by Numba where they are called: not compiled on their own
        helper_decorator="@cuda.jit(device=True)" if target == "cuda" else
        f'@numba.njit({UNROLLED_JIT_OPTIONS}, inline="always")',
        spec_file=Path(network.source).name,
        spec_hash=hashlib.sha256(network.text.encode("utf-8")).hexdigest()[:16],
        strategy_doc=(
            "unrolled (one example's forward and backward pass as straight-line scalar code,\n"
            "after common-subexpression elimination)." if strategy == "unrolled" else
            "layer (matrix products and elementwise loops from the layer-level δ equations:\n"
            "Z{l} = A{l-1} W{l}ᵀ + b{l}, A{l} = f(Z{l}), D{l} = ∂E/∂Z{l} = (D{l+1} W{l+1}) ⊙ f′(Z{l}))."
        ),
        dtype=dtype,
        sizes=sizes,
        sizes_tuple=repr(tuple(sizes)),
        param_names=param_names,
        param_tuple=repr(tuple(param_names)),
        shapes_dict=repr(shapes),
        uses_sigmoid=False,
        uses_softplus=False,
        kernels_apart=False,
        init_doc=_init_doc(network),
        init=_init_lines(network),
        spec_params=_spec_literals(network),
    )
    return {
        "m": m,
        "signature": lambda name, args: _join(f"def {name}", args, 0, ":"),
        "call": _join,
        "returns": lambda values: f"    return {', '.join(values)}",
        "assign": lambda targets, value: f"    {', '.join(targets)} = {value}",
        "call_text": _join,
        "unpack_call": lambda targets, head, args, indent: _join(f"{', '.join(targets)} = {head}", args, indent),
    }


def _init_doc(network: Network) -> str:
    kinds = {"He" if layer.activation.init == HE else "Glorot" for layer in network.layers}
    if kinds == {"Glorot"}:
        return "Glorot-uniform weights"
    if kinds == {"He"}:
        return "He-uniform weights"
    return "He-uniform weights for ReLU-like layers, Glorot-uniform for the others"


def _init_lines(network: Network) -> list[str]:
    lines = []
    for l, layer in enumerate(network.layers, start=1):
        fan_in, units = network.sizes[l - 1], layer.units
        bound = f"6 / {fan_in}" if layer.activation.init == HE else f"6 / ({fan_in} + {units})"
        lines.append(f"rng.uniform(-1.0, 1.0, ({units}, {fan_in})).astype(DTYPE) * DTYPE(math.sqrt({bound}))")
        if layer.bias:
            lines.append(f"np.zeros({units}, dtype=DTYPE)")
    return lines


def _spec_literals(network: Network) -> list[str]:
    if network.parameters is None or network.parameter_count > SPEC_LITERAL_LIMIT:
        return []
    literals = []
    for l, layer in enumerate(network.layers, start=1):
        for key in ((f"W{l}", f"b{l}") if layer.bias else (f"W{l}",)):
            literals.append(repr(np.asarray(network.parameters[key], dtype=float).tolist()))
    return literals
