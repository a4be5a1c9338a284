"""What the libraries get wrong, written by hand, pinned here case by case; every case is also
evaluated by Terraform itself (the JSON and the HCL form of one module must give equal outputs)."""

from __future__ import annotations

import json
import shutil

import hcl2
import pytest

from tapgen.pipeline.hcl import templates as t
from tapgen.pipeline.hcl.convert import document_files
from tapgen.pipeline.hcl.writer import Block, Body, Raw, render_block
from tests.tapgen.pipeline.hcl.conftest import terraform

# (JSON template, native-syntax expression)
CASES = {
    "plain": ("hello", '"hello"'),
    "quotes": ('say "hi"', '"say \\"hi\\""'),
    "escaped quote before an interpolation": ('x = "${var.x}"', '"x = \\"${var.x}\\""'),
    "backslashes": ("C:\\dir\\", '"C:\\\\dir\\\\"'),
    "escaped interpolation": ("$${not} and %%{not}", '"$${not} and %%{not}"'),
    "lone dollar and percent": ("$5 and 100% and $ {x}", '"$5 and 100% and $ {x}"'),
    "newline and tab": ("a\nb\tc", '"a\\nb\\tc"'),
    "unicode": ("naïve → 東京 ✓", '"naïve → 東京 ✓"'),
    "regex in a validation": (
        '${can(regex("^[a-z}]+\\\\.\\"$", var.x))}',
        'can(regex("^[a-z}]+\\\\.\\"$", var.x))',
    ),
    "reference": ("${aws_s3_bucket.logs.arn}", "aws_s3_bucket.logs.arn"),
    "template with text": ("${var.prefix}-logs", '"${var.prefix}-logs"'),
    "interpolation holding a string with a brace": ('${join("}", ["a", "b"])}x', '"${join("}", ["a", "b"])}x"'),
    "nested template": ('${"in-${var.x}"}', '"in-${var.x}"'),
    "directive": ("%{ if var.on }on%{ else }off%{ endif }", '"%{ if var.on }on%{ else }off%{ endif }"'),
    "object constructor spaced as fmt does": ('${jsonencode({"a" = {"b" = 1}})}', 'jsonencode({ "a" = { "b" = 1 } })'),
    "JSON document": ('{"a":[1,"x"],"b":null}', 'jsonencode({\n  a = [1, "x"]\n  b = null\n})'),
    "JSON document with interpolations in its strings": (
        '{"Resource":["arn:${var.x}:y","${var.y}"]}',
        'jsonencode({\n  Resource = ["arn:${var.x}:y", tostring(var.y)]\n})',
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_template_to_native_expression(case):
    source, expected = CASES[case]
    files = document_files({"locals": {"value": source}})
    body = files["locals.tf"].split("locals {\n", 1)[1].rsplit("}\n", 1)[0]
    rendered = body.removeprefix("  value = ").replace("\n  ", "\n")
    assert rendered.rstrip("\n") == expected


def test_python_hcl2_writer_drops_the_escaped_quote_before_an_interpolation():
    """Why templates are not written with python-hcl2 8.x (if this starts failing, it was fixed)."""
    written = hcl2.dumps({"locals": [{"__is_block__": True, "x": '"x = \\"${var.x}\\" is bad"'}]})
    assert '"x = \\${var.x}\\" is bad"' in written


def test_plain_text_is_escaped_where_json_takes_it_literally():
    """Variable defaults and descriptions are not templates in JSON; in HCL they would be."""
    files = document_files(
        {"variable": {"v": {"description": "costs ${x} %{y}", "default": {"k": "${not a ref}", "n": [1, True]}}}}
    )
    assert 'description = "costs $${x} %%{y}"' in files["variables.tf"]
    assert 'k = "$${not a ref}"' in files["variables.tf"]


def test_heredoc_only_where_it_says_exactly_the_same():
    assert t.heredoc_lines('one\ntwo ${var.x} "q" \\n\n') == ["one", 'two ${var.x} "q" \\n']
    assert t.heredoc_lines("one\ntwo") is None  # no final newline
    assert t.heredoc_lines("  indented\n  block\n") is None  # `<<-` would strip it
    assert t.heredoc_lines("single\n") is None


def test_jsonencode_only_for_exact_documents():
    assert t.json_document('{"statusCode":204}') == {"statusCode": 204}
    assert t.json_document('{"statusCode": 204}') is None  # jsonencode writes no spaces
    assert t.json_document('{"b":1,"a":2}') is None  # jsonencode sorts keys
    assert t.json_document('{"a":"<b>"}') is None  # jsonencode escapes < and >
    assert t.json_document('{"a":1.5}') is None  # number formatting is not certain
    assert t.json_document('{"a":"arn:${x}"}') == {"a": "arn:${x}"}
    assert t.json_document('{"a":"${lookup(m, "}")}"}') == {"a": '${lookup(m, "}")}'}
    assert t.json_document('{"a":"$${x}"}') == {"a": "$${x}"}  # still template text
    assert t.json_document('{"a":${x}}') is None  # an interpolation outside a string
    assert t.json_document('{"${k}":1}') is None  # an interpolated key
    assert t.json_document('{"a":"%{if x}y%{endif}"}') is None


def test_empty_blocks_and_alignment():
    body = Body()
    body.attribute("name", Raw('"a"'))
    body.attribute("priority", Raw("10"))
    body.blank()
    body.block(Block("allow"))
    assert render_block(Block("rule", (), body)) == [
        "rule {",
        '  name     = "a"',
        "  priority = 10",
        "",
        "  allow {}",
        "}",
    ]


# A module without providers: Terraform evaluates both forms, and the outputs must be equal.
EVALUATED = {
    "variable": {
        "literal": {"type": "string", "default": 'x = "${not}" %{raw} \\ ünï'},
        "numbers": {"type": "map(number)", "default": {"a-b": 1, "c": 2.5}},
        "name": {"type": "string", "default": "tap-ünï"},
    },
    "locals": {
        name.replace(" ", "_"): source
        for name, (source, _) in CASES.items()
        if not any(ref in source for ref in ("var.", "%{ if", "aws_"))
    },
    "output": {
        "literal": {"value": "${var.literal}"},
        "numbers": {"value": "${var.numbers}"},
        "heredoc": {"value": 'line ${var.literal}\n  "quoted" \\ $${x}\n\nend\n'},
        "json": {"value": '{"a":[1,"x",true],"b":{"c":"d"}}'},
        "json_with_interpolations": {
            "value": '{"Resource":["arn:${var.name}:x","${var.numbers["c"]}"],"Sid":"${join("-", ["a", "b"])}"}'
        },
    },
}


def test_terraform_evaluates_the_json_and_the_hcl_form_alike(tmp_path):
    EVALUATED["output"].update({f"local_{name}": {"value": f"${{local.{name}}}"} for name in EVALUATED["locals"]})
    results = {}
    for form in ("json", "hcl"):
        directory = tmp_path / form
        directory.mkdir()
        if form == "json":
            (directory / "main.tf.json").write_text(json.dumps(EVALUATED))
        else:
            for name, content in document_files(EVALUATED).items():
                (directory / name).write_text(content)
                hcl2.loads(content)  # an independent parser reads it too
        terraform(directory, "init", "-input=false")
        terraform(directory, "plan", "-out=plan.bin", "-input=false")
        results[form] = json.loads(terraform(directory, "show", "-json", "plan.bin").stdout)["planned_values"]
    assert results["json"] == results["hcl"]
    assert results["hcl"]["outputs"]["literal"]["value"] == 'x = "${not}" %{raw} \\ ünï'
    if shutil.which("terraform"):
        assert terraform(tmp_path / "hcl", "fmt", "-check", "-diff", check=False).returncode == 0
