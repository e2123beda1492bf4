"""The spec keys that state a book's worked example in its own conventions (docs/format.md):
``names:``, ``shared:``, ``fixed:``, ``reduction:``, ``schedule:``, ``trace:`` and the notation
keys ``learning_rate``, ``weight_by_layer`` and ``compact``. Each is one small reader; ``spec.py``
calls them. Nothing is evaluated: names are identifiers, ids match one pattern.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from dataclasses import replace

from .model import REDUCTIONS, SCHEDULES, Layer, Network, Updates
from .notation import Notation
from .yaml_source import Reader

BOOK_KEYS = {"names", "shared", "fixed", "reduction", "schedule", "trace", "batch_size"}
NOTATION_BOOK_KEYS = {"learning_rate", "weight_by_layer", "compact", "bias_sign"}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
#: canonical ids a name can be given to: parameters, node values, inputs, targets, loss terms
ID_RE = re.compile(r"^(?:(W)(\d+)\[(\d+),\s*(\d+)\]|(b|z|a|delta)(\d+)\[(\d+)\]|(x|y|E)\[(\d+)\]|(E))$")


def canonical(key: str) -> str:
    """``W1[0, 1]`` → ``W1[0,1]``."""
    return re.sub(r",\s+", ",", key)


def id_exists(key: str, sizes: tuple[int, ...], biases: tuple[bool, ...]) -> bool:
    """Whether a canonical id names something in a network of these sizes."""
    m = ID_RE.fullmatch(key)
    if m is None:
        return False
    if m.group(1):
        l, j, k = int(m.group(2)), int(m.group(3)), int(m.group(4))
        return 1 <= l < len(sizes) and j < sizes[l] and k < sizes[l - 1]
    if m.group(5):
        l, j = int(m.group(6)), int(m.group(7))
        ok = 1 <= l < len(sizes) and j < sizes[l]
        return ok and (m.group(5) != "b" or biases[l - 1])
    if m.group(8):
        return int(m.group(9)) < (sizes[0] if m.group(8) == "x" else sizes[-1])
    return True


def read_names(r: Reader, value: Any, sizes: tuple[int, ...], biases: tuple[bool, ...]) -> dict[str, str]:
    """``names:`` — canonical id → the book's name (w14, W_i1j1, net_h1, E_o1)."""
    path = ("names",)
    value = r.mapping(value, path, None, "names")
    out: dict[str, str] = {}
    for key, name in value.items():
        ident = canonical(str(key))
        if not id_exists(ident, sizes, biases):
            raise r.fail(path + (key,), f"names: {key!r} is not a canonical id of this network (W1[0,1], b1[0], "
                         "z1[0], a1[0], delta1[0], x[0], y[0], E[0] or E)")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise r.fail(path + (key,), f"names: the name of {key} must be an identifier (w14, net_h1), got {name!r}")
        out[ident] = name
    return out


def read_shared(r: Reader, value: Any, parameter_ids: list[str]) -> dict[str, tuple[str, ...]]:
    """``shared:`` — a name → the canonical ids of the units that use one parameter."""
    path = ("shared",)
    value = r.mapping(value, path, None, "shared (a name: [canonical ids], like b1: ['b1[0]', 'b1[1]'])")
    groups: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for name, ids in value.items():
        where = path + (name,)
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise r.fail(where, f"shared: a shared parameter's name must be an identifier, got {name!r}")
        if not isinstance(ids, list) or len(ids) < 2:
            raise r.fail(where, f"shared: {name} needs a list of at least two canonical ids (['b1[0]', 'b1[1]'])")
        members = []
        for i, item in enumerate(ids):
            ident = canonical(str(item))
            if ident not in parameter_ids:
                raise r.fail(where + (i,), f"shared: {item!r} is not a parameter of this network (W1[0,1], b1[0])")
            if ident in seen:
                raise r.fail(where + (i,), f"shared: {ident} is in two shared groups")
            seen.add(ident)
            members.append(ident)
        groups[name] = tuple(members)
    return groups


def read_fixed(r: Reader, value: Any, parameter_ids: list[str], by_name: dict[str, str],
               groups: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """``fixed:`` — parameters never updated: canonical ids, names of the notation or shared names."""
    path = ("fixed",)
    if not isinstance(value, list):
        raise r.fail(path, "fixed must be a list of parameters (canonical ids like 'b1[0]', or names like w5)")
    out: list[str] = []
    for i, item in enumerate(value):
        key = canonical(str(item))
        if key in groups:
            out += groups[key]
        elif key in parameter_ids:
            out.append(key)
        elif key in by_name:
            out.append(by_name[key])
        else:
            raise r.fail(path + (i,), f"fixed: {item!r} is not a parameter of this network")
    return tuple(dict.fromkeys(out))


def read_updates(r: Reader, doc: dict, network: Network, groups: dict[str, tuple[str, ...]]) -> Updates:
    """``reduction``, ``schedule``, ``trace`` and ``fixed`` into one ``Updates``."""
    namer, parameter_ids = network.namer(), network.parameter_ids()
    by_name = {}
    for ident in parameter_ids:
        key, index = split_id(ident)
        name = namer.weight(int(key[1:]), *index) if key[0] == "W" else namer.bias(int(key[1:]), *index)
        by_name[name.ascii] = ident
    reduction = doc.get("reduction", "mean")
    if reduction not in REDUCTIONS:
        raise r.fail(("reduction",), f"reduction must be one of {', '.join(REDUCTIONS)}, got {reduction!r}")
    schedule = doc.get("schedule", "batch")
    if schedule not in SCHEDULES:
        raise r.fail(("schedule",), f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
    trace = None
    if "trace" in doc:
        trace = r.integer(doc["trace"], ("trace",), "trace (the number of steps to trace)")
        if trace > 100_000 or trace * network.parameter_count > 2_000_000:
            raise r.fail(("trace",), "trace keeps every step's parameters: at most 100000 steps and "
                         f"2000000 values in all ({network.parameter_count} parameters here)")
    fixed = read_fixed(r, doc["fixed"], parameter_ids, by_name, groups) if "fixed" in doc else ()
    batch_size = None
    if "batch_size" in doc:
        if schedule != "batch":
            raise r.fail(("batch_size",), "batch_size is for schedule: batch (online steps take one example)")
        batch_size = r.integer(doc["batch_size"], ("batch_size",), "batch_size")
    return Updates(reduction, schedule, fixed, tuple(groups.values()), trace, tuple(groups), batch_size)


def check_shared_values(r: Reader, parameters: dict[str, np.ndarray], groups: dict[str, tuple[str, ...]]) -> None:
    """Every member of a shared group starts at one value."""
    for name, ids in groups.items():
        values = {float(value_of(parameters, i)) for i in ids}
        if len(values) > 1:
            raise r.fail(("shared", name), f"shared: the members of {name} have different values "
                         f"({', '.join(f'{v:g}' for v in sorted(values))}); a shared parameter has one value")


def value_of(parameters: dict[str, np.ndarray], ident: str) -> float:
    """The value of a canonical parameter id in canonical arrays."""
    key, index = split_id(ident)
    return float(parameters[key][index])


def split_id(ident: str) -> tuple[str, tuple[int, ...]]:
    """``W1[0,1]`` → ("W1", (0, 1)); ``b2[0]`` → ("b2", (0,))."""
    key, _, rest = ident.partition("[")
    return key, tuple(int(i) for i in rest.rstrip("]").split(","))


def read_notation_book(r: Reader, value: dict, depth: int | None = None) -> dict[str, Any]:
    """The notation keys for a book's letters: learning rate (alpha), a weight letter per layer,
    compact node-numbered names."""
    from .notation import valid_letter

    path, out = ("notation",), {}
    if "learning_rate" in value:
        letter = value["learning_rate"]
        if not valid_letter(letter):
            raise r.fail(path + ("learning_rate",), f"notation.learning_rate must be a letter (eta, alpha), got {letter!r}")
        out["learning_rate"] = letter
    if "weight_by_layer" in value:
        letters = value["weight_by_layer"]
        if not isinstance(letters, list) or not letters or not all(valid_letter(x) for x in letters):
            raise r.fail(path + ("weight_by_layer",), "notation.weight_by_layer must be a list of letters, one per layer ([w, v])")
        out["weight_by_layer"] = tuple(letters)
    if "bias_sign" in value:
        sign = value["bias_sign"]
        if sign not in (1, -1) or isinstance(sign, bool):
            raise r.fail(path + ("bias_sign",), f"notation.bias_sign must be 1 (z = Σw·a + b) or -1 (a threshold: z = Σw·a − θ), got {sign!r}")
        out["bias_sign"] = sign
    if "compact" in value:
        if not isinstance(value["compact"], bool):
            raise r.fail(path + ("compact",), "notation.compact must be true or false")
        out["compact"] = value["compact"]
    return out


def read_book_names(r: Reader, doc: dict, notation: Notation, inputs: tuple[str, ...],
                    layers: tuple[Layer, ...]) -> tuple[Notation, dict[str, tuple[str, ...]]]:
    """``names:`` and ``shared:`` into the notation (a shared parameter's units are named N_1, N_2…
    unless ``names:`` names them), and the shared groups."""
    sizes, biases = (len(inputs), *(l.units for l in layers)), tuple(l.bias for l in layers)
    if notation.weight_by_layer and len(notation.weight_by_layer) != len(layers):
        raise r.fail(("notation", "weight_by_layer"), f"notation.weight_by_layer needs one letter per layer ({len(layers)})")
    names = read_names(r, doc["names"], sizes, biases) if "names" in doc else {}
    ids = [f"W{l}[{j},{k}]" for l in range(1, len(sizes)) for j in range(sizes[l]) for k in range(sizes[l - 1])]
    ids += [f"b{l}[{j}]" for l in range(1, len(sizes)) if biases[l - 1] for j in range(sizes[l])]
    groups = read_shared(r, doc["shared"], ids) if "shared" in doc else {}
    for group, members in groups.items():
        for i, member in enumerate(members, start=1):
            names.setdefault(member, f"{group}_{i}")
    return replace(notation, names=tuple(names.items())), groups
