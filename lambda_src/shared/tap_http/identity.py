"""Who is calling: the IAM principal API Gateway authenticated (`AWS_IAM` auth).

API Gateway writes the caller's ARN to `requestContext.identity.userArn` after verifying the SigV4
signature; the function trusts it because only API Gateway may invoke the function. Grants name
IAM roles and users, not sessions, so an STS assumed-role ARN is reduced to its role ARN:

    arn:<partition>:sts::<account>:assumed-role/<Role>/<session>  ->  arn:<partition>:iam::<account>:role/<Role>

An assumed-role ARN carries no role path, so the role ARN it gives has none either: a grant for a
role created with a path (`role/team/Reader`) is written without it (`role/Reader`). Any other
well-formed IAM ARN (an IAM user, `root`) or STS federated-user ARN is its own principal. A missing
or malformed ARN (including an assumed-role ARN of any other shape) is no principal at all, which
no grant can match.
"""

from __future__ import annotations

import re

_PARTITION = r"aws(?:-[a-z]+)*"
_NAME = r"[\w+=,.@-]"  # IAM role and session name characters (ASCII only: see the flag)
ASSUMED_ROLE = re.compile(
    rf"arn:(?P<partition>{_PARTITION}):sts::(?P<account>[0-9]{{12}}):assumed-role/(?P<role>{_NAME}{{1,64}})/{_NAME}{{2,64}}",
    re.ASCII,
)
PRINCIPAL = re.compile(
    rf"arn:{_PARTITION}:(?:iam::[0-9]{{12}}:[\w+=,.@/-]{{1,1024}}|sts::[0-9]{{12}}:federated-user/{_NAME}{{2,64}})",
    re.ASCII,
)


def principal_of(event: dict) -> str | None:
    """The IAM role or user ARN the request is authenticated as, or None."""
    identity = (event.get("requestContext") or {}).get("identity") or {}
    arn = identity.get("userArn")
    if not isinstance(arn, str):
        return None
    assumed = ASSUMED_ROLE.fullmatch(arn)
    if assumed:
        return f"arn:{assumed['partition']}:iam::{assumed['account']}:role/{assumed['role']}"
    return arn if PRINCIPAL.fullmatch(arn) else None
