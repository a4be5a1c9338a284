"""Where the stack is deployed: account, region and partition, as Terraform expressions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AwsAccount:
    """Expressions for the target account; `arn()` builds ARNs that also work outside `aws`."""

    account_id: str
    region: str
    partition: str
    dns_suffix: str

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        where = self.region if region is None else region
        return f"arn:{self.partition}:{service}:{where}:{self.account_id}:{resource}"

    def service_host(self, service: str) -> str:
        """A regional service principal or endpoint host, e.g. `logs.us-east-1.amazonaws.com`."""
        return f"{service}.{self.region}.{self.dns_suffix}"

    @property
    def root_principal(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"
