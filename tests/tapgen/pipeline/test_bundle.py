from tapgen.pipeline.bundle import Written, render_readme
from tapgen.provenance import Provenance
from tapgen.security.suppressions import suppressions


def test_readme_documents_every_input_and_output_of_the_configuration(document):
    options = {"backend": "local", "state_bucket": "", "regions": "2", "cache": "dax"}
    written = Written(options, Provenance("9.9.9", "0123456789abcdef0123456789abcdef01234567"))
    archives = ["function.zip", "health.zip", "canary-0123456789abcdef.zip"]
    readme = render_readme(document, archives, written, suppressions(document, options))
    for name, variable in document["variable"].items():
        assert f"| `{name}` | `{variable['type']}` |" in readme
    for name, output in document["output"].items():
        assert f"| `{name}` | {output['description']} |" in readme
    assert "| `lambda_log_bucket_name` | `string` | `(required)` |" in readme
    assert '| `aws_region` | `string` | `"us-east-1"` |' in readme
    assert "`canary-0123456789abcdef.zip`, `function.zip`, `health.zip`" in readme
    assert (
        "Written by the TAP stack generator 9.9.9 from source revision "
        "`0123456789abcdef0123456789abcdef01234567`, with `backend=local`, `regions=2`, `cache=dax` "
        "(the configuration's output `generator` says the same)." in " ".join(readme.split())
    )
