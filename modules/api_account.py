"""The regional API Gateway account setting and the role it uses to write CloudWatch logs.

`aws_api_gateway_account` is one per account and region: applying it sets the role that every
REST API of the region logs with, for all stacks there. So it is optional (`managed`, a bool
expression): exactly one stack per account and region should manage it, with `reset_on_delete`
so that destroying that stack does not leave the region pointing at a deleted role. The role may
write only API Gateway's log groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Token
from constructs import Construct

from modules.account import AwsAccount
from modules.iam import ServiceRole, ServiceRoleProps, Statement, address
from tapgen.aws import aws

LOG_ACTIONS = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:PutLogEvents",
)


@dataclass(frozen=True, kw_only=True)
class ApiAccountProps:
    """`managed` is a bool or a Terraform bool expression: whether the setting and role exist."""

    name: str
    role_name: str
    account: AwsAccount
    managed: object = True


class ApiAccount(Construct):
    """Outputs: `setting` (`aws_api_gateway_account`, counted), to depend on before stages log, and
    `moved`: the `(from, to)` address pairs of the resources that became counted."""

    def __init__(self, scope: Construct, props: ApiAccountProps) -> None:
        super().__init__(scope, props.name)
        count = Token.as_number(Fn.conditional(props.managed, 1, 0))
        log_groups = (
            props.account.arn("logs", "log-group:API-Gateway-Execution-Logs_*"),
            props.account.arn("logs", "log-group:/aws/apigateway/*"),
        )
        role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_cloudwatch_role",
                role_name=props.role_name,
                service="apigateway.amazonaws.com",
                statements=(
                    Statement("WriteApiGatewayLogs", LOG_ACTIONS, log_groups + tuple(f"{arn}:*" for arn in log_groups)),
                    # DescribeLogGroups has no resource-level permission: it works on "*" only.
                    Statement("FindLogGroups", ("logs:DescribeLogGroups",), ("*",)),
                ),
                count=count,
            ),
        )
        self.setting = aws.api_gateway_account.ApiGatewayAccount(
            self,
            props.name,
            count=count,
            cloudwatch_role_arn=role.arn,
            # Destroying the stack resets the region's setting instead of leaving it pointing at the
            # deleted role (the only behaviour of provider 6, where this argument is gone).
            reset_on_delete=True,
            depends_on=[role.policy],
        )
        self.moved = (*role.moved, (address(self.setting), f"{address(self.setting)}[0]"))
