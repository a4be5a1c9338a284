"""The regional API Gateway account setting and the role it uses to write CloudWatch logs.

`aws_api_gateway_account` is one per account and region: applying the stack sets the role that
every REST API of the region logs with. The role may write only API Gateway's log groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.iam import ServiceRole, ServiceRoleProps, Statement
from tapgen.aws import aws

LOG_ACTIONS = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:PutLogEvents",
)


@dataclass(frozen=True)
class ApiAccountProps:
    name: str
    role_name: str
    account: AwsAccount


class ApiAccount(Construct):
    """Outputs: `setting` (`aws_api_gateway_account`), to depend on before stages log."""

    def __init__(self, scope: Construct, props: ApiAccountProps) -> None:
        super().__init__(scope, props.name)
        log_groups = (
            props.account.arn("logs", "log-group:API-Gateway-Execution-Logs_*"),
            props.account.arn("logs", "log-group:/aws/apigateway/*"),
        )
        role = ServiceRole(
            self,
            ServiceRoleProps(
                f"{props.name}_cloudwatch_role",
                props.role_name,
                "apigateway.amazonaws.com",
                (Statement("WriteApiGatewayLogs", LOG_ACTIONS, log_groups + tuple(f"{arn}:*" for arn in log_groups)),),
            ),
        )
        self.setting = aws.api_gateway_account.ApiGatewayAccount(
            self, props.name, cloudwatch_role_arn=role.role.arn, depends_on=[role.policy]
        )
