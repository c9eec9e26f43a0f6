"""Load a YAML document as plain data plus a map from each key path to its line and column.

PyYAML's ``safe_load`` loses positions, keeps the last of two duplicate keys without a word,
and expands aliases without bound (a "billion laughs" document exhausts memory). Here the C
parser composes the node graph (positions kept, aliases shared, so composing is linear) and
this module builds the values itself, with a budget on expanded nodes and on depth, refusing
duplicate keys, non-string keys, merge keys and control characters written as escapes
(``"\\e"``, ``"\\x01"``: invisible, they break feeds and terminals). Timestamps stay strings:
dates are parsed by the caller, which knows the time zone and can say what is wrong with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from cmpub.model.controls import CONTROL, control_name

try:  # the libyaml parser is ~10x faster; the pure-Python one gives the same nodes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 20_000  # values built from one document, aliases included
MAX_DEPTH = 40

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR = yaml.constructor.SafeConstructor()


@dataclass
class YamlError(Exception):
    """A YAML document that cannot be turned into data; ``line``/``col`` are 1-based."""

    line: int
    col: int
    code: str
    message: str
    hint: str = ""


@dataclass
class Document:
    """Plain data (dicts, lists, str, int, float, bool, None) with the position of every path.

    ``marks[("images", 0, "alt")]`` is the (line, col) where that key is written, 1-based and
    already shifted by the document's first line in its file.
    """

    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0

    def mark(self, path: Path) -> tuple[int, int]:
        """The position of ``path``, or of its nearest written ancestor (never fails)."""
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (self.line_offset + 1, 1))


def load(text: str, line_offset: int = 0) -> Document:
    """Parse ``text`` (one YAML document) into a :class:`Document`; raise :class:`YamlError`.

    ``line_offset`` is the number of file lines before the document (1 for front matter that
    follows a ``---`` line), so that every position points into the real file.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        lines = text.split("\n")
        source_line = lines[line - 1] if 0 < line <= len(lines) else ""
        if "\t" in source_line[: max(col, 1)] or source_line.lstrip(" ").startswith("\t"):
            message, hint = "a tab is used for indentation", "indent with spaces, not tabs"
        else:
            hint = _syntax_hint(message)
        raise YamlError(line + line_offset, col, "yaml.syntax", message, hint) from None
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        raise YamlError(line_offset + 1, 1, "yaml.syntax", str(exc).splitlines()[0]) from None
    doc = Document(None, {}, line_offset)
    if node is None:
        return doc
    builder = _Builder(doc, line_offset)
    doc.data = builder.build(node, (), 0)
    return doc


def _syntax_hint(message: str) -> str:
    if "mapping values are not allowed" in message:
        return "put quotes around a value that contains ': '"
    if "found undefined alias" in message:
        return "define the anchor (&name) before using it (*name)"
    return "check the indentation and quoting on this line and the one before"


class _Builder:
    """Turns composed nodes into data, counting every node built (aliases included)."""

    def __init__(self, doc: Document, offset: int) -> None:
        self.doc = doc
        self.offset = offset
        self.budget = MAX_NODES

    def _pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def _fail(self, node: yaml.Node, code: str, message: str, hint: str = "") -> YamlError:
        line, col = self._pos(node)
        return YamlError(line, col, code, message, hint)

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self._fail(
                node,
                "yaml.too-large",
                f"the document expands to more than {MAX_NODES} values (aliases included)",
                "write the values out instead of nesting aliases (&anchor / *alias)",
            )
        if depth > MAX_DEPTH:
            raise self._fail(node, "yaml.too-deep", f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.doc.marks.setdefault((*path, i), self._pos(child))
                items.append(self.build(child, (*path, i), depth + 1))
            return items
        return self._mapping(node, path, depth)  # MappingNode

    def _text(self, node: yaml.ScalarNode) -> str:
        found = CONTROL.search(node.value)
        if found:
            raise self._fail(
                node,
                "yaml.control-character",
                f"this text holds an invisible control character {control_name(found.group())},"
                " written as an escape",
                "remove the escape, such as \\e or \\x1b, from the quoted text",
            )
        return str(node.value)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in (_STR, _TIMESTAMP):
            return self._text(node)
        try:
            return _SCALAR.construct_object(node)
        except (yaml.constructor.ConstructorError, ValueError, TypeError) as exc:
            raise self._fail(node, "yaml.value", f"cannot read {node.value!r}: {exc}") from None

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self._fail(
                    key_node,
                    "yaml.merge",
                    "merge keys ('<<') are not supported",
                    "write the keys out",
                )
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
                raise self._fail(
                    key_node,
                    "yaml.key-type",
                    f"keys must be text, found {shown!r}",
                    f'put the key in quotes ("{shown}":)' if isinstance(shown, str) else "",
                )
            key = self._text(key_node)
            line, col = self._pos(key_node)
            if key in out:
                first = self.doc.marks.get((*path, key), (line, col))[0]
                raise YamlError(
                    line,
                    col,
                    "yaml.duplicate-key",
                    f"duplicate key '{key}' (first written on line {first})",
                    "keep one of the two: YAML would silently use the last one",
                )
            self.doc.marks[(*path, key)] = (line, col)
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out
