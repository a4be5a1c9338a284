import pytest

from stacks.outputs import OUTPUTS
from stacks.variables import VARIABLES
from tapgen.bundle import render_readme, staged_directory


def test_staged_directory_replaces_the_destination_only_on_success(tmp_path):
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), staged_directory(destination) as staging:
        (staging / "half.txt").write_text("half written")
        raise RuntimeError("synth failed")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in destination.iterdir()] == ["old.txt"]
    with staged_directory(destination) as staging:
        (staging / "new.txt").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in destination.iterdir()] == ["new.txt"]
    assert oct(destination.stat().st_mode & 0o777) == "0o755"


def test_readme_documents_every_input_and_output():
    readme = render_readme(["function.zip", "health.zip", "canary.zip"])
    for variable in VARIABLES:
        assert f"| `{variable.name}` | `{variable.type}` |" in readme
    for output in OUTPUTS:
        assert f"| `{output.name}` | {output.description} |" in readme
    assert "| `lambda_log_bucket_name` | `string` | `(required)` |" in readme
    assert '| `aws_region` | `string` | `"us-east-1"` |' in readme
    assert "`canary.zip`, `function.zip`, `health.zip`" in readme
