"""YAML loading that remembers the line of every value, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import InputError

Path = tuple[Any, ...]


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


def load_yaml(text: str, file: str) -> Located:
    """Parse YAML safely (no tags, no objects) and record the line of every node."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"YAML syntax error: {exc.problem or exc}", file, line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file) from None
    located = Located(None, file)
    if root is None:
        return located
    constructor = yaml.SafeLoader("")

    def build(node: yaml.Node, path: Path | None) -> Any:
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
        if isinstance(node, yaml.SequenceNode):
            return [build(item, path + (i,)) for i, item in enumerate(node.value)]
        if path is not None:
            located.raw[path] = node.value
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in {
            "null", "bool", "int", "float", "str"
        }:
            return constructor.construct_object(node)
        raise InputError(f"unsupported YAML tag {node.tag}", file, node.start_mark.line + 1)

    located.data = build(root, ())
    return located
