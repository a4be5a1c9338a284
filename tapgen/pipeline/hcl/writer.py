"""A small native-syntax writer whose output is already in `terraform fmt`'s canonical layout.

Why not a library: python-hcl2 8.x's writer gets templates wrong (see `templates`), writes unquoted
block labels and whitespace-only lines that `terraform fmt` rewrites, and HashiCorp's formatter
(`@cdktf/hcl-tools`, hclwrite compiled to WebAssembly) needs a Node process and about 1.3 s per
thousand resources, more than this bundle's time budget. The layout rules fmt applies to what this
writer emits are few and are pinned by tests that run `terraform fmt -check` on every bundle:
two-space indentation; in each run of consecutive single-line attributes (or object items) the `=`
signs line up one space after the longest name; a multi-line value ends the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INDENT = "  "
INLINE_WIDTH = 100


@dataclass(frozen=True)
class Raw:
    """An expression that fits on one line, exactly as written (`var.x`, `"text"`, `3`)."""

    text: str


@dataclass(frozen=True)
class Heredoc:
    marker: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Tuple:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Object:
    items: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class Call:
    """`name(argument)`, e.g. `jsonencode({...})`."""

    name: str
    argument: Expr


Expr = Raw | Heredoc | Tuple | Object | Call


@dataclass
class Block:
    """A block; `comments` are whole-line comments (`# ...`) at the top of its body."""

    type: str
    labels: tuple[str, ...] = ()
    body: Body = field(default_factory=lambda: Body())
    comments: tuple[str, ...] = ()


@dataclass
class Body:
    """Attributes and blocks in the order given; `None` items are blank-line separators."""

    items: list[tuple[str, Expr] | Block | None] = field(default_factory=list)

    def attribute(self, name: str, value: Expr) -> None:
        self.items.append((name, value))

    def block(self, block: Block) -> None:
        self.items.append(block)

    def blank(self) -> None:
        if self.items and self.items[-1] is not None:
            self.items.append(None)


def inline(expr: Expr) -> str | None:
    """The one-line form of an expression, if it has a short one."""
    if isinstance(expr, Raw):
        return expr.text
    if isinstance(expr, Tuple):
        texts = [inline(item) for item in expr.items]
        if any(text is None or "\n" in text for text in texts):
            return None
        text = "[" + ", ".join(texts) + "]"  # type: ignore[arg-type]
        return text if len(text) <= INLINE_WIDTH else None
    if isinstance(expr, Object):
        return "{}" if not expr.items else None
    if isinstance(expr, Call):
        argument = inline(expr.argument)
        return None if argument is None else f"{expr.name}({argument})"
    return None


def _expression_lines(expr: Expr, depth: int) -> list[str]:
    """The expression's lines: the first continues the line it starts on, the others are complete
    (indented for `depth`, the depth of the line the expression starts on)."""
    text = inline(expr)
    if text is not None:
        return [text]
    pad = INDENT * (depth + 1)
    if isinstance(expr, Heredoc):
        return [f"<<-{expr.marker}", *[(pad + line) if line else "" for line in expr.lines], pad + expr.marker]
    if isinstance(expr, Tuple):
        lines = ["["]
        for item in expr.items:
            item_lines = _expression_lines(item, depth + 1)
            lines.append(pad + item_lines[0])
            lines.extend(item_lines[1:])
            lines[-1] += ","
        return [*lines, INDENT * depth + "]"]
    if isinstance(expr, Object):
        return ["{", *_assignments(list(expr.items), depth + 1), INDENT * depth + "}"]
    if isinstance(expr, Call):
        inner = _expression_lines(expr.argument, depth)
        return [f"{expr.name}({inner[0]}", *inner[1:-1], inner[-1] + ")"] if len(inner) > 1 else [inline(expr) or ""]
    raise TypeError(f"not an expression: {expr!r}")


def _assignments(items: list[tuple[str, Expr] | None], depth: int) -> list[str]:
    """`name = value` lines, aligned the way `terraform fmt` aligns them."""
    pad = INDENT * depth
    rendered = [None if item is None else (item[0], _expression_lines(item[1], depth)) for item in items]
    lines: list[str] = []
    index = 0
    while index < len(rendered):
        entry = rendered[index]
        if entry is None:
            lines.append("")
            index += 1
            continue
        # A run of single-line assignments; a multi-line one stands alone (fmt: one space before `=`).
        run = [entry]
        while len(run[-1][1]) == 1 and index + len(run) < len(rendered):
            following = rendered[index + len(run)]
            if following is None or len(following[1]) > 1:
                break
            run.append(following)
        width = max(len(name) for name, _ in run)
        for name, value_lines in run:
            lines.append(f"{pad}{name.ljust(width)} = {value_lines[0]}")
            lines.extend(value_lines[1:])
        index += len(run)
    return lines


def render_body(body: Body, depth: int = 0) -> list[str]:
    lines: list[str] = []
    pending: list[tuple[str, Expr] | None] = []

    def flush() -> None:
        if pending:
            lines.extend(_assignments(pending, depth))
            pending.clear()

    for item in body.items:
        if isinstance(item, Block):
            flush()
            lines.extend(render_block(item, depth))
        elif item is None:
            if pending:
                pending.append(None)
            else:
                lines.append("")
        else:
            pending.append(item)
    flush()
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _label(label: str) -> str:
    from tapgen.pipeline.hcl.templates import quoted_literal

    return quoted_literal(label)


def render_block(block: Block, depth: int = 0) -> list[str]:
    pad = INDENT * depth
    head = " ".join([block.type, *(_label(label) for label in block.labels)])
    inner = [INDENT * (depth + 1) + comment for comment in block.comments] + render_body(block.body, depth + 1)
    if not inner:
        return [f"{pad}{head} {{}}"]
    return [f"{pad}{head} {{", *inner, f"{pad}}}"]


def render_file(blocks: list[Block | str]) -> str:
    """Top-level blocks separated by blank lines; a str item is a comment line (`# ...`)."""
    out: list[str] = []
    for item in blocks:
        if isinstance(item, str):
            if out:
                out.append("")
            out.append(item)
            continue
        if out and not out[-1].startswith("#"):
            out.append("")
        out.extend(render_block(item))
    return "\n".join(out) + "\n"
