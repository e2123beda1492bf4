"""YAML loading that remembers the line of every value, and typed access that raises located errors."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import limits
from .errors import InputError

Path = tuple[Any, ...]
#: a plain scalar such as 1e-8 or 2E+3: a float in YAML 1.2, text in the YAML 1.1 PyYAML implements
#: libyaml's parser where PyYAML was built with it (10× faster on big files), else the pure-Python one
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SURROGATE = re.compile("[\ud800-\udfff]")
_EXPONENT_FLOAT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)[eE][-+]?\d+$")


@dataclass
class Located:
    """Plain Python data from a YAML file plus the 1-based line of every node, by path."""

    data: Any
    file: str
    lines: dict[Path, int] = field(default_factory=dict)
    raw: dict[Path, str] = field(default_factory=dict)  # scalar values as written (0.50 keeps its 0)

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: Path, message: str) -> InputError:
        """An InputError located at ``path``."""
        return InputError(message, self.file, self.line(path))


def _check_shape(text: str, file: str, top_lists: dict[str, int]) -> None:
    """Size, nesting and the length of top-level lists, on the event stream (iterative), before
    anything recursive runs: libyaml's fast parser first, PyYAML's for the wording of an error."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.MAX_INPUT_BYTES:
        raise InputError(limits.over("the file size in bytes", size, limits.MAX_INPUT_BYTES), file)
    try:
        _scan(text, file, top_lists, _FAST_LOADER)
    except yaml.YAMLError:
        _scan(text, file, top_lists, yaml.SafeLoader)  # raises the error as PyYAML words it


@dataclass
class _Frame:
    mapping: bool
    expect_key: bool = True
    key: Any = None
    key_line: int = 0
    count: int = 0
    limit: int | None = None
    name: str = ""


def _scan(text: str, file: str, top_lists: dict[str, int], loader: type) -> None:
    frames: list[_Frame] = []

    def enter_node(event: yaml.Event) -> _Frame | None:
        parent = frames[-1] if frames else None
        if parent is not None and not parent.mapping:
            parent.count += 1
        return parent

    def leave_node() -> None:
        if frames and frames[-1].mapping:
            frames[-1].expect_key = not frames[-1].expect_key

    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            parent = enter_node(event)
            if isinstance(event, yaml.ScalarEvent):
                _check_scalar(event.value, file, line)
                if parent is not None and parent.mapping and parent.expect_key:
                    parent.key, parent.key_line = event.value, line
            leave_node()
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            parent = enter_node(event)
            frame = _Frame(isinstance(event, yaml.MappingStartEvent))
            if len(frames) == 1 and parent.mapping and not parent.expect_key and not frame.mapping:
                frame.limit, frame.name, frame.key_line = top_lists.get(parent.key), parent.key, parent.key_line
            frames.append(frame)
            if len(frames) > limits.MAX_YAML_DEPTH:
                raise InputError(limits.over("the nesting depth of lists and mappings", len(frames),
                                             limits.MAX_YAML_DEPTH), file, line)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            frame = frames.pop()
            if frame.limit is not None and frame.count > frame.limit:
                raise InputError(limits.over(f"the number of {frame.name}", frame.count, frame.limit), file,
                                 frame.key_line)
            leave_node()


def _check_scalar(value: str, file: str, line: int) -> None:
    if len(value) > limits.MAX_SCALAR_CHARS:
        raise InputError(limits.over("a value's length in characters", len(value), limits.MAX_SCALAR_CHARS), file, line)
    if _SURROGATE.search(value):
        raise InputError("text must be valid Unicode (a lone UTF-16 surrogate such as \\ud800 is not)", file, line)


def load_yaml(text: str, file: str, top_lists: dict[str, int] | None = None) -> Located:
    """Parse YAML safely (no tags, no objects) and record the line of every node.

    The limits of ``derive.limits`` on size, nesting, nodes (aliases expanded) and numbers hold
    before the work that would exceed them; ``top_lists`` bounds the length of top-level lists
    by key (``{"layers": 64}``).
    """
    try:
        _check_shape(text, file, top_lists or {})
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"YAML syntax error: {exc.problem or exc}", file, line) from None
    except yaml.reader.ReaderError as exc:  # a NUL or control byte: no mark, but a position
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InputError(f"YAML error: the control character U+{code:04X} is not allowed in YAML text", file, line) from None
    except yaml.YAMLError as exc:
        raise InputError("YAML error: " + " ".join(str(exc).split()), file) from None
    located = Located(None, file)
    if root is None:
        return located
    constructor = yaml.SafeLoader("")
    budget = [limits.MAX_YAML_NODES]

    open_nodes: set[int] = set()  # the collections being built: an alias to one of them is a cycle

    def build(node: yaml.Node, path: Path | None) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise InputError(limits.over("the number of YAML values (aliases expanded)", limits.MAX_YAML_NODES + 1,
                                         limits.MAX_YAML_NODES), file, node.start_mark.line + 1)
        if isinstance(node, yaml.CollectionNode):
            if id(node) in open_nodes:
                raise InputError("a YAML alias refers to a list or mapping that contains it", file,
                                 node.start_mark.line + 1)
            if len(open_nodes) >= limits.MAX_YAML_DEPTH:
                raise InputError(limits.over("the nesting depth of lists and mappings (aliases expanded)",
                                             len(open_nodes) + 1, limits.MAX_YAML_DEPTH), file, node.start_mark.line + 1)
            open_nodes.add(id(node))
            try:
                return build_collection(node, path)
            finally:
                open_nodes.discard(id(node))
        return build_scalar(node, path)

    def build_collection(node: yaml.CollectionNode, path: Path | None) -> Any:
        if path is not None:
            located.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = build(key_node, None) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, (str, int, float, bool)):
                    raise InputError("mapping keys must be plain scalars", file,
                                     key_node.start_mark.line + 1)
                if key in result:
                    raise InputError(f"duplicate key {key!r}", file, key_node.start_mark.line + 1)
                # A value's line is the line of its key: that is where a reader looks.
                located.lines[path + (key,)] = key_node.start_mark.line + 1
                result[key] = build(value_node, path + (key,))
            return result
        return [build(item, path + (i,)) for i, item in enumerate(node.value)]

    def build_scalar(node: yaml.Node, path: Path | None) -> Any:
        if path is not None:
            located.lines.setdefault(path, node.start_mark.line + 1)
            located.raw[path] = node.value
        if node.tag == "tag:yaml.org,2002:str" and node.style is None and _EXPONENT_FLOAT.match(node.value):
            return float(node.value)  # 1e-8 is a number (YAML 1.2); PyYAML's YAML 1.1 reads it as text
        kind = node.tag.rsplit(":", 1)[1] if node.tag.startswith("tag:yaml.org,2002:") else None
        if kind in ("int", "float") and len(node.value) > limits.MAX_NUMBER_CHARS:
            raise InputError(limits.over("a number's length in characters", len(node.value), limits.MAX_NUMBER_CHARS),
                             file, node.start_mark.line + 1)
        if kind in {"null", "bool", "int", "float", "str"}:
            try:
                return constructor.construct_object(node)
            except (ValueError, yaml.YAMLError) as exc:
                raise InputError(f"cannot read the {kind} {node.value[:40]!r}: {exc}".split("\n")[0], file,
                                 node.start_mark.line + 1) from None
        raise InputError(f"unsupported YAML tag {node.tag}", file, node.start_mark.line + 1)

    located.data = build(root, ())
    return located


class Reader:
    """Typed access to located YAML data, raising located errors."""

    def __init__(self, located: Located) -> None:
        self.src = located

    def fail(self, path: tuple, message: str) -> InputError:
        return self.src.error(path, message)

    def mapping(self, value: Any, path: tuple, allowed: set[str] | None, what: str) -> dict:
        """``value`` as a mapping; with ``allowed``, every key must be one of them."""
        if not isinstance(value, dict):
            raise self.fail(path, f"{what} must be a mapping, got {_kind(value)}")
        for key in () if allowed is None else value:
            if key not in allowed:
                raise self.fail(
                    path + (key,), f"unknown key {key!r} in {what} (expected one of: {', '.join(sorted(allowed))})"
                )
        return value

    def integer(self, value: Any, path: tuple, what: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"{what} must be an integer, got {_kind(value)}")
        if value < minimum:
            raise self.fail(path, f"{what} must be at least {minimum}, got {value}")
        return value

    def number(self, value: Any, path: tuple, what: str, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, f"{what} must be a number, got {_kind(value)}")
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any double
            raise self.fail(path, f"{what} is too large ({len(str(abs(value)))} digits)") from None
        if not math.isfinite(number):
            raise self.fail(path, f"{what} must be finite, got {value}")
        if positive and number <= 0:
            raise self.fail(path, f"{what} must be positive, got {value}")
        return number

    def string(self, value: Any, path: tuple, what: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"{what} must be text, got {_kind(value)}")
        return value

    def vector(self, value: Any, path: tuple, what: str, length: int) -> tuple[float, ...]:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and length == 1:
            value = [value]
        if not isinstance(value, list):
            raise self.fail(path, f"{what} must be a list of {length} numbers, got {_kind(value)}")
        if len(value) != length:
            raise self.fail(path, f"{what} must have {length} value(s), got {len(value)}")
        return tuple(self.number(v, path + (i,), f"{what}[{i}]") for i, v in enumerate(value))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "true/false", int: "an integer", float: "a number", str: f"text {value!r}",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)
