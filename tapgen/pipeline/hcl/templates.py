"""Terraform's string templates, as the JSON syntax holds them, rewritten for the native syntax.

In a `.tf.json` file every string in an expression position is a template: literal text with
`${ expr }` interpolations, `%{ ... }` directives, and `$${`/`%%{` for a literal `${`/`%{`. The native
syntax has the same template language inside quotes and heredocs, so a template is carried over part
by part: the interpolations and directives verbatim (they are native-syntax expressions already, with
their own quoting), the literal text escaped for the place it goes to. python-hcl2's writer splits
templates with a brace-counting regex, so it breaks on a `}` inside a quoted string of an
interpolation and drops the backslash of an escaped quote right before one; this scanner follows the
template grammar instead (strings and nested templates inside interpolations).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tapgen.jsonencode import jsonencode

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if", "endif", "else", "endfor"})


@dataclass(frozen=True)
class Part:
    """A literal run of a template (`text` as the template spells it, escapes included) or an
    interpolation/directive (`text` is the whole `${...}`/`%{...}`)."""

    text: str
    literal: bool


class TemplateError(ValueError):
    """A template that does not scan (an unclosed interpolation or string)."""


def _scan_expression(source: str, start: int) -> int:
    """`start` is just after `${` or `%{`: the index after the matching `}`."""
    depth = 0
    index = start
    while index < len(source):
        char = source[index]
        if char == '"':
            index = _scan_quoted(source, index + 1)
            continue
        if char == "<" and source.startswith("<<", index):
            heredoc = re.match(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)\n", source[index:])
            if heredoc:
                end = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}$", re.M).search(source, index + heredoc.end())
                if end is None:
                    raise TemplateError(f"unterminated heredoc in {source!r}")
                index = end.end()
                continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index + 1
            depth -= 1
        index += 1
    raise TemplateError(f"unterminated interpolation in {source!r}")


def _scan_quoted(source: str, start: int) -> int:
    """`start` is just after an opening quote inside an expression: the index after its closing quote."""
    index = start
    while index < len(source):
        if source[index] == "\\":
            index += 2
        elif source.startswith(("$${", "%%{"), index):
            index += 3
        elif source.startswith(("${", "%{"), index):
            index = _scan_expression(source, index + 2)
        elif source[index] == '"':
            return index + 1
        else:
            index += 1
    raise TemplateError(f"unterminated string in {source!r}")


def parts(template: str) -> list[Part]:
    """Split a template into literal runs and interpolations/directives."""
    result: list[Part] = []
    literal: list[str] = []
    index = 0
    while index < len(template):
        if template.startswith(("$${", "%%{"), index):
            literal.append(template[index : index + 3])
            index += 3
        elif template.startswith(("${", "%{"), index):
            if literal:
                result.append(Part("".join(literal), True))
                literal = []
            end = _scan_expression(template, index + 2)
            result.append(Part(template[index:end], False))
            index = end
        else:
            literal.append(template[index])
            index += 1
    if literal:
        result.append(Part("".join(literal), True))
    return result


def sole_interpolation(template: str) -> str | None:
    """The expression of a template that is exactly one `${ expr }` (its value is the expression's
    value, type included), else None."""
    if not template.startswith("${"):
        return None
    found = parts(template)
    if len(found) != 1 or found[0].literal:
        return None
    inner = found[0].text[2:-1]
    if inner.startswith("~") or inner.endswith("~"):
        return None
    return inner.strip()


def escape_literal(text: str) -> str:
    """Plain text (no template meaning) as template text: `${`/`%{` become `$${`/`%%{`."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _escape_quoted_run(text: str) -> str:
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or char in "\u2028\u2029\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def quoted(template: str) -> str:
    """A template as a native quoted template: literal runs escaped, interpolations verbatim."""
    return '"' + "".join(p.text if not p.literal else _escape_quoted_run(p.text) for p in parts(template)) + '"'


def fmt_quoted(template: str) -> str:
    """`quoted`, with the interpolations spaced as `terraform fmt` spaces them."""
    return _fmt_quoted(quoted(template))


def quoted_literal(text: str) -> str:
    """Plain text (a variable's description or default, a backend setting) as a quoted string."""
    return quoted(escape_literal(text))


def heredoc_lines(template: str) -> list[str] | None:
    """The lines of a template for a `<<-EOT` heredoc, or None where a heredoc cannot say it exactly
    or does not read better: one line only, no final newline, or characters a heredoc would change."""
    if not template.endswith("\n") or template.count("\n") < 2 or "\r" in template or "\t" in template:
        return None
    lines = template[:-1].split("\n")
    if any(line != line.rstrip() for line in lines):
        return None  # trailing blanks: kept exactly, but invisible to a reviewer and stripped by editors
    if min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0) > 0:
        return None  # a `<<-` heredoc would strip that common indentation
    return lines


def heredoc_marker(lines: list[str]) -> str:
    marker = "EOT"
    while any(line.strip() == marker for line in lines):
        marker += "_"
    return marker


def object_key(key: str) -> str:
    """A key of an object constructor: bare where it is an identifier, else quoted (a literal key)."""
    if _IDENTIFIER.match(key) and key not in _KEYWORDS:
        return key
    return quoted_literal(key)


def _plain_json(value: object) -> bool:
    """Only values whose jsonencode text is certain: no floats (number formatting differs)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    return value is None or isinstance(value, (str, bool, int))


# A stand-in for an interpolation while the rest of the template is read as JSON: private-use
# characters, which JSON neither escapes nor needs escaped.
_HOLE = "\ue000{}\ue001"
_HOLES = re.compile("\ue000(\\d+)\ue001")


def json_document(template: str) -> object | None:
    """The value whose `jsonencode` is exactly this template (a JSON object or array), or None.

    Its strings are templates: an interpolation of the JSON text stays one inside its string
    (`"arn:${data.aws_partition.p.partition}:..."`), which jsonencode inserts as the JSON text
    does, provided its value needs no JSON escaping (ARNs, names and ids do not). Interpolations
    outside strings, in keys, or directives: None.
    """
    if not template.startswith(("{", "[")) or "%{" in template or "\ue000" in template:
        return None
    pieces = [part.text for part in parts(template) if not part.literal]
    holed = "".join(p.text if p.literal else _HOLE.format(pieces.index(p.text)) for p in parts(template))
    try:
        value = json.loads(holed)
    except ValueError:
        return None
    if not isinstance(value, (dict, list)) or not _plain_json(value) or jsonencode(value) != holed:
        return None
    if _HOLES.search(json.dumps(_keys(value), ensure_ascii=False)):
        return None
    return _filled(value, pieces)


def _keys(value: object) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(key for item in value.values() for key in _keys(item))]
    if isinstance(value, list):
        return [key for item in value for key in _keys(item)]
    return []


def _filled(value: object, pieces: list[str]) -> object:
    if isinstance(value, str):
        return _HOLES.sub(lambda match: pieces[int(match.group(1))], value)
    if isinstance(value, list):
        return [_filled(item, pieces) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, pieces) for key, item in value.items()}
    return value


def fmt_expression(text: str) -> str:
    """An expression as `terraform fmt` spaces it, for the one rule the synthesized expressions
    break: a one-line object constructor has a space inside its braces (`{ a = 1 }`). String
    literals are kept, and the interpolations inside them are spaced the same way."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            end = _scan_quoted(text, index + 1)
            out.append(_fmt_quoted(text[index:end]))
            index = end
            continue
        if char == "{" and index + 1 < len(text) and text[index + 1] not in " \n}":
            out.append("{ ")
        elif char == "}" and out and out[-1][-1:] not in (" ", "{", "\n"):
            out.append(" }")
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _fmt_quoted(quoted_text: str) -> str:
    """A quoted template inside an expression, its interpolations spaced by `fmt_expression`."""
    return (
        '"'
        + "".join(
            p.text if p.literal else p.text[:2] + fmt_expression(p.text[2:-1]) + "}"
            for p in _quoted_parts(quoted_text[1:-1])
        )
        + '"'
    )


def _quoted_parts(body: str) -> list[Part]:
    """Like `parts`, for the body of a quoted string (backslash escapes kept as they are)."""
    result: list[Part] = []
    literal: list[str] = []
    index = 0
    while index < len(body):
        if body[index] == "\\":
            literal.append(body[index : index + 2])
            index += 2
        elif body.startswith(("$${", "%%{"), index):
            literal.append(body[index : index + 3])
            index += 3
        elif body.startswith(("${", "%{"), index):
            if literal:
                result.append(Part("".join(literal), True))
                literal = []
            end = _scan_expression(body, index + 2)
            result.append(Part(body[index:end], False))
            index = end
        else:
            literal.append(body[index])
            index += 1
    if literal:
        result.append(Part("".join(literal), True))
    return result
