"""The network description (net.yaml): parsing and validation into a ``Network``.

Every problem is reported as an InputError naming the file, the line and what was expected.
The format is documented in docs/format.md.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import activations, limits, losses, optimizers
from .errors import InputError
from .formula import parse_formula
from .hyperparameters import Hyperparameter
from .model import Example, Layer, Network, Training
from .notation import STYLES, WEIGHT_ORDERS, Notation, valid_letter
from . import spec_book
from .yaml_source import Reader, load_yaml

IDENT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
CANONICAL_RE = re.compile(r"^(W|b)(\d+)(?:\[(\d+)(?:,\s*(\d+))?\])?$")
TOP_KEYS = {
    "name", "description", "inputs", "layers", "loss", "notation", "parameters", "example",
    "examples", "learning_rate", "optimizer", "train", *spec_book.BOOK_KEYS,
}
LAYER_KEYS = {"units", "activation", "bias", "formula"}  # and the activation's hyperparameters
LOSS_KEYS = {"type", "formula"}  # and the loss's hyperparameters
NOTATION_KEYS = set(Notation.__dataclass_fields__) - {"names"}
TRAIN_KEYS = {"steps", "until_loss_below"}
EXAMPLE_KEYS = {"x", "y"}


def load_network(path: str | Path) -> Network:
    """Read and validate a net.yaml file."""
    path = Path(path)
    try:
        if path.stat().st_size > limits.MAX_INPUT_BYTES:  # before reading it
            raise InputError(limits.over("the file size in bytes", path.stat().st_size, limits.MAX_INPUT_BYTES), str(path))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", str(path)) from None
    return parse_network(text, str(path))


def parse_network(text: str, file: str = "<net.yaml>") -> Network:
    """Validate the YAML text of a network description."""
    located = load_yaml(text, file, {"layers": limits.MAX_LAYERS, "examples": limits.MAX_EXAMPLES,
                                     "inputs": limits.MAX_UNITS})
    r = Reader(located)
    doc = r.mapping(located.data, (), TOP_KEYS, "the network description")
    for required in ("inputs", "layers", "loss"):
        if required not in doc:
            raise r.fail((), f"missing key {required!r} (a network needs inputs, layers and a loss)")
    limits.check_network_size(doc, r.fail)

    inputs = _inputs(r, doc["inputs"])
    notation = _notation(r, doc.get("notation", {}))
    if "inputs" in doc and isinstance(doc["inputs"], int) and notation.style == "node":
        inputs = tuple(f"{notation.post}{k + 1}" for k in range(len(inputs)))
    elif isinstance(doc["inputs"], int):
        inputs = tuple(f"{notation.input}{k + 1}" for k in range(len(inputs)))
    layers = _layers(r, doc["layers"])
    notation, groups = spec_book.read_book_names(r, doc, notation, inputs, layers)
    loss = _loss(r, doc["loss"])
    name = doc.get("name")
    if name is None:  # from the file name, made an identifier
        name = re.sub(r"\W+", "_", Path(file).stem).strip("_") or "net"
        name = name if name[:1].isalpha() else "net_" + name
    if not isinstance(name, str) or not IDENT_RE.fullmatch(name.replace("-", "_")):
        raise r.fail(("name",), "name must be an identifier (letters, digits, - and _)")
    network = Network(
        name=name,
        source=file,
        inputs=inputs,
        layers=layers,
        loss=loss,
        notation=notation,
        description=r.string(doc.get("description", ""), ("description",), "description"),
        text=text,
    )
    _check_names(r, network, groups)
    if network.layers[-1].activation.name == activations.SOFTMAX and network.sizes[-1] < 2:
        raise r.fail(("layers",), "a softmax output layer needs at least 2 units")
    for l, layer in enumerate(layers[:-1]):
        if layer.activation.name == activations.SOFTMAX:
            raise r.fail(("layers", l, "activation"), "softmax is supported on the output layer only")
    extra: dict[str, Any] = {}
    if "parameters" in doc:
        extra["parameters"] = _parameters(r, doc["parameters"], network, groups)
        spec_book.check_shared_values(r, extra["parameters"], groups)
    extra["updates"] = spec_book.read_updates(r, doc, network, groups)
    examples = []
    if "example" in doc and "examples" in doc:
        raise r.fail(("examples",), "give either example or examples, not both")
    if "example" in doc:
        examples = [_example(r, doc["example"], ("example",), network)]
    if "examples" in doc:
        if not isinstance(doc["examples"], list) or not doc["examples"]:
            raise r.fail(("examples",), "examples must be a non-empty list of {x: [...], y: [...]}")
        examples = [_example(r, e, ("examples", i), network) for i, e in enumerate(doc["examples"])]
    extra["examples"] = tuple(examples)
    if "learning_rate" in doc:
        extra["learning_rate"] = r.number(doc["learning_rate"], ("learning_rate",), "learning_rate", positive=True)
    if "optimizer" in doc:
        extra["optimizer"] = _optimizer(r, doc["optimizer"])
    if "train" in doc:
        t = r.mapping(doc["train"], ("train",), TRAIN_KEYS, "train")
        threshold = t.get("until_loss_below")
        extra["training"] = Training(
            r.integer(t.get("steps", 1), ("train", "steps"), "train.steps"),
            None if threshold is None else r.number(threshold, ("train", "until_loss_below"), "train.until_loss_below", positive=True),
        )
    return _replace(network, **extra)


def _replace(network: Network, **changes: Any) -> Network:
    return replace(network, **changes)


def _inputs(r: Reader, value: Any) -> tuple[str, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        count = r.integer(value, ("inputs",), "inputs")
        return tuple(f"x{k + 1}" for k in range(count))
    if isinstance(value, list) and value:
        names = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not IDENT_RE.fullmatch(item):
                raise r.fail(("inputs", i), f"input names must be identifiers like x1, got {item!r}")
            names.append(item)
        return tuple(names)
    raise r.fail(("inputs",), "inputs must be a count (2) or a list of names ([x1, x2])")


def _layers(r: Reader, value: Any) -> tuple[Layer, ...]:
    if not isinstance(value, list) or not value:
        raise r.fail(("layers",), "layers must be a non-empty list of {units, activation, bias}")
    layers = []
    for i, item in enumerate(value):
        path = ("layers", i)
        item = r.mapping(item, path, None, f"layer {i + 1}")  # keys checked against the activation
        if "units" not in item:
            raise r.fail(path, f"layer {i + 1} needs units")
        units = r.integer(item["units"], path + ("units",), f"layer {i + 1} units")
        bias = item.get("bias", True)
        if not isinstance(bias, bool):
            raise r.fail(path + ("bias",), f"layer {i + 1} bias must be true or false")
        layers.append(Layer(units, _activation(r, item, path), bias))
    return tuple(layers)


def _activation(r: Reader, item: dict, path: tuple) -> activations.Activation:
    name = r.string(item.get("activation", "sigmoid"), path + ("activation",), "activation")
    if name == "custom":
        _only_keys(r, item, path, LAYER_KEYS, "a custom activation")
        if "formula" not in item:
            raise r.fail(path, "a custom activation needs formula: a formula in x, like x / (1 + exp(-x))")
        return activations.custom_activation(_formula(r, item["formula"], path + ("formula",), {"x": activations.X}))
    if "formula" in item:
        raise r.fail(path + ("formula",), "formula is only for activation: custom")
    record = activations.lookup(name)
    if record is None:
        raise r.fail(path + ("activation",),
                     f"unknown activation {name!r} (expected one of: {', '.join(activations.activation_names())}, custom)")
    _only_keys(r, item, path, LAYER_KEYS | {p.name for p in record.params}, f"a {record.name} layer")
    return activations.make_activation(record.name, **_hyperparameters(r, item, path, record.params))


def _loss(r: Reader, value: Any) -> losses.Loss:
    path = ("loss",)
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict):
        raise r.fail(path, "loss must be a name or a mapping with type:")
    name = r.string(value.get("type"), path + ("type",), "loss type")
    if name == losses.CUSTOM:
        _only_keys(r, value, path, LOSS_KEYS, "a custom loss")
        if "formula" not in value:
            raise r.fail(path, "a custom loss needs formula: a formula in yhat (output) and y (target)")
        formula = _formula(r, value["formula"], path + ("formula",), {"yhat": losses.A, "y": losses.T})
        if not formula.has(losses.A):
            raise r.fail(path + ("formula",), "a custom loss must depend on yhat (the network output)")
        return losses.custom_loss(formula)
    record = losses.lookup(name)
    if record is None:
        raise r.fail(path + ("type",), f"unknown loss {name!r} (expected one of: {', '.join(losses.loss_names())})")
    if "formula" in value:
        raise r.fail(path + ("formula",), "formula is only for type: custom")
    _only_keys(r, value, path, LOSS_KEYS | {p.name for p in record.params}, f"the {record.name} loss")
    return losses.make_loss(record.name, **_hyperparameters(r, value, path, record.params))


def _optimizer(r: Reader, value: Any) -> optimizers.Optimizer:
    path, value = ("optimizer",), {"type": value} if isinstance(value, str) else value
    if not isinstance(value, dict):
        raise r.fail(path, "optimizer must be a name (sgd) or a mapping with type: (type: adam, beta1: 0.9)")
    name = r.string(value.get("type"), path + ("type",), "optimizer type")
    if (record := optimizers.lookup(name)) is None:
        known = ", ".join(optimizers.optimizer_names())
        raise r.fail(path + ("type",), f"unknown optimizer {name!r} (expected one of: {known})")
    _only_keys(r, value, path, {"type"} | {p.name for p in record.params}, f"the {record.name} optimizer")
    return optimizers.make_optimizer(record.name, **_hyperparameters(r, value, path, record.params))


def _only_keys(r: Reader, item: dict, path: tuple, allowed: set[str], what: str) -> None:
    for key in item:
        if key not in allowed:
            raise r.fail(path + (key,), f"unknown key {key!r} for {what} (expected one of: {', '.join(sorted(allowed))})")


def _hyperparameters(r: Reader, item: dict, path: tuple, params: tuple[Hyperparameter, ...]) -> dict[str, float]:
    """The values given for ``params``, each checked against its record's bounds."""
    values = {}
    for param in params:
        if param.name in item:
            where = path + (param.name,)
            value = r.number(param.resolve(item[param.name]), where, param.name)
            if abs(value) > limits.MAX_HYPERPARAMETER:
                raise r.fail(where, limits.over(f"|{param.name}|", abs(value), limits.MAX_HYPERPARAMETER))
            problem = param.check(value)
            if problem is not None:
                raise r.fail(where, problem)
            values[param.name] = value
    return values


def _formula(r: Reader, value: Any, path: tuple, names: dict) -> Any:
    text = r.string(value, path, "formula")
    try:
        return parse_formula(text, names)
    except InputError as exc:
        raise exc.located(r.src.file, r.src.line(path)) from None


def _notation(r: Reader, value: Any) -> Notation:
    path = ("notation",)
    value = r.mapping(value, path, NOTATION_KEYS, "notation")
    style = value.get("style", "layered")
    if style not in STYLES:
        raise r.fail(path + ("style",), f"notation style must be one of {', '.join(STYLES)}, got {style!r}")
    order = value.get("weight_order", "source_major")
    if order not in WEIGHT_ORDERS:
        raise r.fail(path + ("weight_order",), f"weight_order must be one of {', '.join(WEIGHT_ORDERS)}")
    letters = {}
    if "delta_sign" in value:
        sign = value["delta_sign"]
        if sign not in (1, -1) or isinstance(sign, bool):
            raise r.fail(path + ("delta_sign",), f"notation.delta_sign must be 1 (δ = ∂E/∂z) or -1 (δ = −∂E/∂z), got {sign!r}")
        letters["delta_sign"] = sign
    for key in ("pre", "post", "input", "output", "target", "loss", "weight", "bias", "delta"):
        if key in value:
            letter = value[key]
            if not valid_letter(letter):
                raise r.fail(path + (key,),
                             f"notation.{key} must be a letter, a letter+hat (yhat) or a short word, got {letter!r}")
            letters[key] = letter
    letters.update(spec_book.read_notation_book(r, value))
    return Notation(style=style, weight_order=order, **letters)


def _check_names(r: Reader, network: Network, groups: dict[str, tuple[str, ...]] | None = None) -> None:
    """Every displayed quantity must have its own ASCII name (the checker parses them)."""
    namer = network.namer()
    seen: dict[str, str] = {}

    def claim(name: str, what: str) -> None:
        if name in seen and seen[name] != what:
            where = ("names",) if network.notation.names else ("notation",)
            raise r.fail(where, f"the name {name!r} is used for both {seen[name]} and {what}; "
                         "choose other notation letters or names")
        seen[name] = what

    if network.parameter_count > 5000:
        return  # per-unit names are only built for small networks; the letters were validated above
    for k in range(network.sizes[0]):
        claim(namer.input(k).ascii, f"input {k + 1}")
    for l in range(1, network.depth + 1):
        for j in range(network.sizes[l]):
            claim(namer.pre(l, j).ascii, f"pre-activation {l},{j}")
            claim(namer.post(l, j).ascii, f"post-activation {l},{j}")
            claim(namer.bias(l, j).ascii, f"b{l}[{j}]")
            for k in range(network.sizes[l - 1]):
                claim(namer.weight(l, j, k).ascii, f"W{l}[{j},{k}]")
    for j in range(network.sizes[-1]):
        claim(namer.target(j).ascii, f"target {j + 1}")
        claim(namer.loss_term(j).ascii, f"the loss of output {j + 1}")
    claim(namer.loss().ascii, "the loss")
    for group in groups or {}:
        claim(group, f"the shared parameter {group}")


def _parameters(r: Reader, value: Any, network: Network,
                groups: dict[str, tuple[str, ...]] | None = None) -> dict[str, np.ndarray]:
    path = ("parameters",)
    if not isinstance(value, dict):
        raise r.fail(path, "parameters must be a mapping (W1: [[...]], b1: [...] or w1: 0.15, …)")
    sizes = network.sizes
    arrays: dict[str, np.ndarray] = {}
    for l, layer in enumerate(network.layers, start=1):
        arrays[f"W{l}"] = np.full((layer.units, sizes[l - 1]), np.nan)
        if layer.bias:
            arrays[f"b{l}"] = np.full(layer.units, np.nan)
    by_name = {}
    namer = network.namer()
    for l, layer in enumerate(network.layers, start=1):
        for j in range(layer.units):
            if layer.bias:
                by_name[namer.bias(l, j).ascii] = (f"b{l}", (j,))
            for k in range(sizes[l - 1]):
                by_name[namer.weight(l, j, k).ascii] = (f"W{l}", (j, k))
    for key, item in value.items():
        kpath = path + (key,)
        match = CANONICAL_RE.fullmatch(str(key))
        if isinstance(item, list):
            if not match or match.group(3) is not None or f"{match.group(1)}{match.group(2)}" not in arrays:
                raise r.fail(kpath, f"a list of values needs a layer key like W1 or b1 (known: {', '.join(arrays)}), got {key!r}")
            target = arrays[str(key)]
            if key.startswith("W"):
                rows = item
                if len(rows) != target.shape[0] or not all(isinstance(row, list) and len(row) == target.shape[1] for row in rows):
                    raise r.fail(kpath, f"{key} must be a {target.shape[0]}×{target.shape[1]} matrix "
                                 f"(one row per unit of layer {match.group(2)}, one column per unit of the layer below)")
                for j, row in enumerate(rows):
                    target[j] = r.vector(row, kpath + (j,), f"{key}[{j}]", target.shape[1])
            else:
                target[:] = r.vector(item, kpath, key, target.shape[0])
            continue
        if match and match.group(3) is not None:
            array_key = f"{match.group(1)}{match.group(2)}"
            if array_key not in arrays:
                raise r.fail(kpath, f"no parameter {key!r} in this network")
            index = (int(match.group(3)),) if match.group(1) == "b" else (int(match.group(3)), int(match.group(4) or -1))
            if match.group(1) == "W" and match.group(4) is None:
                raise r.fail(kpath, "a weight id needs two indices, like W1[0,1]")
            if any(i < 0 or i >= n for i, n in zip(index, arrays[array_key].shape)) or len(index) != arrays[array_key].ndim:
                raise r.fail(kpath, f"{key} is out of range: {array_key} has shape {arrays[array_key].shape}")
            arrays[array_key][index] = r.number(item, kpath, str(key))
            continue
        if key in (groups or {}):  # a shared parameter: one value for all its units
            for member in groups[key]:
                array_key, index = spec_book.split_id(member)
                arrays[array_key][index] = r.number(item, kpath, str(key))
            continue
        if key in by_name:
            array_key, index = by_name[key]
            arrays[array_key][index] = r.number(item, kpath, str(key))
            continue
        raise r.fail(kpath, f"unknown parameter {key!r}: expected a layer key (W1, b1), a canonical id "
                     f"(W1[0,0]) or a name of this notation (like {next(iter(by_name))})")
    for key, array in arrays.items():
        if np.isnan(array).any():
            missing = np.argwhere(np.isnan(array))[0]
            index = ",".join(map(str, missing))
            raise r.fail(path, f"parameters are incomplete: no value for {key}[{index}]")
    return arrays


def _example(r: Reader, value: Any, path: tuple, network: Network) -> Example:
    value = r.mapping(value, path, EXAMPLE_KEYS, "an example")
    for key in ("x", "y"):
        if key not in value:
            raise r.fail(path, f"an example needs {key}: ({'inputs' if key == 'x' else 'targets'})")
    return Example(
        r.vector(value["x"], path + ("x",), "example x", network.sizes[0]),
        r.vector(value["y"], path + ("y",), "example y", network.sizes[-1]),
    )
