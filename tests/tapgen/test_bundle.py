from stacks.outputs import OUTPUTS
from stacks.variables import VARIABLES
from tapgen.bundle import render_readme


def test_readme_documents_every_input_and_output():
    readme = render_readme(["function.zip", "health.zip", "canary.zip"])
    for variable in VARIABLES:
        assert f"| `{variable.name}` | `{variable.type}` |" in readme
    for output in OUTPUTS:
        assert f"| `{output.name}` | {output.description} |" in readme
    assert "| `lambda_log_bucket_name` | `string` | `(required)` |" in readme
    assert '| `aws_region` | `string` | `"us-east-1"` |' in readme
    assert "`canary.zip`, `function.zip`, `health.zip`" in readme
