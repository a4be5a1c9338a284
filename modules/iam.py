"""IAM built from data: policy statements are dataclasses rendered as `aws_iam_policy_document`.

Identity policies may use `Resource = "*"` only for the actions listed, with a reason, in
`tapgen.security.exceptions.WILDCARD_RESOURCE_ACTIONS`; anything else fails synth here, where
the statement is written. Resource policies (statements with principals) are exempt: their
`"*"` means "this resource".
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from tapgen.aws import aws
from tapgen.jsonencode import jsonencode
from tapgen.naming import terraform_name
from tapgen.security.exceptions import WILDCARD_RESOURCE_ACTIONS


@dataclass(frozen=True)
class Condition:
    test: str
    variable: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Principal:
    type: str
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()
    effect: str = "Allow"
    principals: tuple[Principal, ...] = ()
    conditions: tuple[Condition, ...] = ()

    def __post_init__(self) -> None:
        if not self.principals and not self.resources:
            raise ValueError(f"statement {self.sid!r}: an identity statement needs resources")
        if self.principals or self.effect != "Allow" or "*" not in self.resources:
            return
        unlisted = sorted(set(self.actions) - set(WILDCARD_RESOURCE_ACTIONS))
        if unlisted:
            raise ValueError(
                f"statement {self.sid!r}: actions {unlisted} on Resource '*' are not allowed; "
                "grant them on specific ARNs or list them with a reason in tapgen/security/exceptions.py"
            )


def service_principal(*services: str) -> Principal:
    return Principal("Service", tuple(services))


def _policy_data(statement: Statement) -> dict:
    """The IAM JSON form of a statement (for `jsonencode`)."""
    data: dict = {"Sid": statement.sid, "Effect": statement.effect, "Action": list(statement.actions)}
    if statement.resources:
        data["Resource"] = list(statement.resources)
    if any(p.type == "*" for p in statement.principals):
        data["Principal"] = "*"
    elif statement.principals:
        data["Principal"] = {p.type: list(p.identifiers) for p in statement.principals}
    conditions: dict = {}
    for c in statement.conditions:
        conditions.setdefault(c.test, {})[c.variable] = list(c.values)
    if conditions:
        data["Condition"] = conditions
    return data


def key_policy_json(statements: list[Statement]) -> str:
    """A KMS key policy as a JSON string; Terraform interpolations stay inside its strings.

    Key policies must say `Resource = "*"` (meaning "this key"). Scanners read every
    `aws_iam_policy_document` as an identity policy and would flag that, so key policies are
    rendered inline from the same statement data instead: as plain JSON (not a `jsonencode` call), so
    that the security rules in `tapgen.security.rules` can read every statement of the synthesized key policy,
    in the text `jsonencode` would give, so that the HCL hand-off writes it as `jsonencode({...})`.
    """
    return jsonencode({"Version": "2012-10-17", "Statement": [_policy_data(s) for s in statements]})


def policy_document(scope: Construct, name: str, statements: list[Statement]):
    """An `aws_iam_policy_document` data source named `name`; use its `.json`."""
    Doc = aws.data_aws_iam_policy_document
    return Doc.DataAwsIamPolicyDocument(
        scope,
        name,
        statement=[
            Doc.DataAwsIamPolicyDocumentStatement(
                sid=statement.sid,
                effect=statement.effect,
                actions=list(statement.actions),
                resources=list(statement.resources) or None,
                principals=[
                    Doc.DataAwsIamPolicyDocumentStatementPrincipals(type=p.type, identifiers=list(p.identifiers))
                    for p in statement.principals
                ]
                or None,
                condition=[
                    Doc.DataAwsIamPolicyDocumentStatementCondition(
                        test=c.test, variable=c.variable, values=list(c.values)
                    )
                    for c in statement.conditions
                ]
                or None,
            )
            for statement in statements
        ],
    )


@dataclass(frozen=True, kw_only=True)
class ServiceRoleProps:
    """A role that one AWS service assumes, with one inline policy.

    `name` is the Terraform name (`tap_stack_<x>_role`); `role_name` the physical name expression
    (the stack derives every IAM name in one place). `count`, when given (a number expression, 0 or
    1), makes the role and its policy optional.
    """

    name: str
    role_name: str
    service: str
    statements: tuple[Statement, ...]
    trust_conditions: tuple[Condition, ...] = ()
    count: object = None


def address(element) -> str:
    """The Terraform address of a resource (its name is pinned to its construct id)."""
    return f"{element.terraform_resource_type}.{terraform_name(element)}"


class ServiceRole(Construct):
    """An IAM role for one service principal plus its least-privilege inline policy.

    Outputs: `role` (the `aws_iam_role`), `policy` (the `aws_iam_role_policy`, for `depends_on`),
    `arn` (the role's ARN; null when `count` is 0) and `moved` (`(from, to)` address pairs that a
    counted role needs, since it used to be uncounted).
    """

    def __init__(self, scope: Construct, props: ServiceRoleProps) -> None:
        super().__init__(scope, props.name)
        assume = policy_document(
            self,
            f"{props.name}_trust",
            [
                Statement(
                    "ServiceAssumesRole",
                    ("sts:AssumeRole",),
                    principals=(service_principal(props.service),),
                    conditions=props.trust_conditions,
                )
            ],
        )
        counted = props.count is not None
        self.role = aws.iam_role.IamRole(
            self,
            props.name,
            name=props.role_name,
            assume_role_policy=assume.json,
            count=props.count,
        )
        permissions = policy_document(self, f"{props.name}_permissions", list(props.statements))
        # The inline policy's name only has to be unique within its role.
        self.policy = aws.iam_role_policy.IamRolePolicy(
            self,
            f"{props.name}_policy",
            name="least-privilege",
            role=f"${{{address(self.role)}[count.index].id}}" if counted else self.role.id,
            policy=permissions.json,
            count=props.count,
        )
        self.arn = f"${{one({address(self.role)}[*].arn)}}" if counted else self.role.arn
        self.moved = tuple((address(r), f"{address(r)}[0]") for r in (self.role, self.policy)) if counted else ()
