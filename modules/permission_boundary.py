"""The stack's permission boundary: one customer-managed policy that caps every role of the stack.

A boundary grants nothing; a role may do only what both its own policies and the boundary allow. So
even a role whose inline policy is later widened by mistake (or by someone who may edit it) cannot
reach beyond the services the stack uses, in this account, nor free itself from the cap:

- Allowed: the actions of `allowed_actions` (e.g. `logs:*`, `ec2:CreateNetworkInterface`), each
  service on the resources `resources` names for it (the stack's own tables and secrets, say), or
  else on every resource of this account (`arn:<partition>:<service>:*:<account>:*`). S3 and API
  Gateway ARNs carry no account, so there the resource's account is checked instead
  (`aws:ResourceAccount`): never another account's bucket.
  Actions that AWS authorizes only on `Resource = "*"` (the listed exceptions of
  `tapgen.security.exceptions.WILDCARD_RESOURCE_ACTIONS`) are allowed there when an allowed pattern
  matches them, and nothing else is.
- Denied, whatever a role's policies say: removing or replacing any role's boundary, changing
  or deleting this policy, and invoking the functions of `uninvokable_functions` (any version or
  alias): a function behind the API trusts its event as API Gateway wrote it, caller identity
  included, so a direct invocation would bypass SigV4, the IP allow-list, WAF and the grants.
  The policy's ARN is built from the account and the policy name, never read from the policy
  resource itself (that would be a dependency cycle).

The boundary reaches every role without touching the modules that create them: an Aspect sets
`permissions_boundary` on every `aws_iam_role` under `scope` at synth, nested constructs and every
`RegionScope` included (IAM is global: one policy serves all regions), except the roles listed
with their reason in `tapgen.security.exceptions.BOUNDARY_EXEMPT_ROLES`. Build it on the stack itself,
not in a region scope, so that it covers every region. `tapgen.security.rules.roles_have_the_permission_boundary`
fails synth if any role lacks it; that rule looks for the Terraform name
`tapgen.security.rules.PERMISSION_BOUNDARY_POLICY`, so `name` should be it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import jsii
from cdktf import Aspects, IAspect, TerraformResource
from constructs import Construct, IConstruct

from modules.account import AwsAccount
from modules.iam import Condition, Statement, policy_document
from tapgen.aws import aws
from tapgen.naming import terraform_name
from tapgen.security.exceptions import WILDCARD_RESOURCE_ACTIONS, boundary_exempt

# Changing any role's boundary would lift the cap.
BOUNDARY_ACTIONS = ("iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary")
# Changing this policy would widen the cap for every role at once.
POLICY_CHANGE_ACTIONS = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
)
# Running a function: synchronously, asynchronously (InvokeAsync is the deprecated form) or by URL.
INVOKE_ACTIONS = ("lambda:InvokeFunction", "lambda:InvokeAsync", "lambda:InvokeFunctionUrl")
# Services whose ARNs have no account field.
ACCOUNTLESS_ARNS = {"s3": "arn:{partition}:s3:::*", "apigateway": "arn:{partition}:apigateway:*::*"}


@dataclass(frozen=True, kw_only=True)
class PermissionBoundaryProps:
    """`name` is the Terraform name (`tap_stack_permission_boundary`); `policy_name` the physical
    name expression (`<prefix>-boundary`, IAM names are account-wide). `allowed_actions` are IAM
    action patterns (`service:Action`, wildcards allowed): what any role of the stack may ever do.
    `resources` maps a service to the only resource ARNs (patterns) its actions may touch;
    `uninvokable_functions` are function ARNs no role may invoke."""

    name: str
    policy_name: str
    allowed_actions: tuple[str, ...]
    account: AwsAccount
    resources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    uninvokable_functions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        malformed = [a for a in self.allowed_actions if a.count(":") != 1 or a.startswith("*")]
        if not self.allowed_actions or malformed:
            raise ValueError(f"{self.name}: allowed_actions must be service:Action patterns, got {malformed or '()'}")


@jsii.implements(IAspect)
class BoundaryAspect:
    """Sets `permissions_boundary` to `arn` on every `aws_iam_role` it visits."""

    def __init__(self, arn: str) -> None:
        self.arn = arn

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, TerraformResource) or node.terraform_resource_type != "aws_iam_role":
            return
        if not boundary_exempt(terraform_name(node)):
            node.permissions_boundary = self.arn


class PermissionBoundary(Construct):
    """Outputs: `policy` (the `aws_iam_policy`) and `arn` (its ARN, which every role names)."""

    def __init__(self, scope: Construct, props: PermissionBoundaryProps) -> None:
        super().__init__(scope, props.name)
        document = policy_document(self, f"{props.name}_document", boundary_statements(props))
        self.policy = aws.iam_policy.IamPolicy(
            self,
            props.name,
            name=props.policy_name,
            description="Permission boundary of every role of the TAP stack",
            policy=document.json,
        )
        self.arn = self.policy.arn
        Aspects.of(scope).add(BoundaryAspect(self.arn))


def boundary_statements(props: PermissionBoundaryProps) -> list[Statement]:
    """The allows (per service, in this account; listed wildcard-only actions on `*`), then the denies."""
    account = props.account
    # An action AWS authorizes only on `*` would never match a scoped statement.
    scoped = tuple(a for a in props.allowed_actions if a not in WILDCARD_RESOURCE_ACTIONS)
    statements = [
        Statement(
            f"Allow{_title(service)}",
            actions,
            props.resources.get(service) or (_resources_of(service, account),),
            conditions=_account_check(service, account),
        )
        for service, actions in _by_service(scoped).items()
    ]
    unscoped = sorted(a for a in WILDCARD_RESOURCE_ACTIONS if any(fnmatchcase(a, p) for p in props.allowed_actions))
    if unscoped:
        statements.append(Statement("AllowActionsWithoutResourceLevelPermissions", tuple(unscoped), ("*",)))
    own_arn = account.arn("iam", f"policy/{props.policy_name}", region="")
    statements += [
        Statement("DenyChangingPermissionBoundaries", BOUNDARY_ACTIONS, ("*",), effect="Deny"),
        Statement("DenyChangingThisBoundary", POLICY_CHANGE_ACTIONS, (own_arn,), effect="Deny"),
    ]
    if props.uninvokable_functions:
        qualified = tuple(f"{arn}{tail}" for arn in props.uninvokable_functions for tail in ("", ":*"))
        statements.append(Statement("DenyInvokingApiFunctions", INVOKE_ACTIONS, qualified, effect="Deny"))
    return statements


def _by_service(actions: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for action in actions:
        grouped.setdefault(action.split(":", 1)[0], []).append(action)
    return {service: tuple(listed) for service, listed in grouped.items()}


def _resources_of(service: str, account: AwsAccount) -> str:
    """Every resource of `service` in this account, in any region."""
    if service in ACCOUNTLESS_ARNS:
        return ACCOUNTLESS_ARNS[service].format(partition=account.partition)
    return account.arn(service, "*", region="*")


def _account_check(service: str, account: AwsAccount) -> tuple[Condition, ...]:
    """For a service whose ARNs carry no account: the resource must be this account's."""
    if service not in ACCOUNTLESS_ARNS:
        return ()
    return (Condition("StringEquals", "aws:ResourceAccount", (account.account_id,)),)


def _title(service: str) -> str:
    """A statement id part: `secretsmanager` -> `Secretsmanager`, `ec2` -> `Ec2`."""
    return "".join(part.capitalize() for part in service.split("-"))
