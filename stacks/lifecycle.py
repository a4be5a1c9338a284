"""What `stack_lifecycle` decides, in one place: how hard the stack is to take down.

- `durable` (the default): a production stack. The tables keep their deletion protection
  (`dynamodb_deletion_protection`), a deleted secret stays recoverable for 30 days (and its name
  reserved), a key waits 30 days before deletion, buckets holding objects are not deleted, and the
  log archive denies tampering to all but its break-glass principal.
- `ephemeral`: a pull-request or test stack, which `terraform destroy` removes in one go and an
  `apply` can re-create under the same names at once: no deletion protection, buckets emptied by
  destroy (every version), the secret deleted without a recovery window, keys after the shortest
  window AWS allows, and no tamper deny on the log archive (Object Lock is refused there by the
  variable's validation).

Each decision is a Terraform expression over one local, so a stack changes lifecycle by a variable,
in place: nothing is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, IResolvable, Op, TerraformLocal, Token
from constructs import Construct

from modules.app_secret import RECOVERY_WINDOW_DAYS
from modules.encryption import DELETION_WINDOW_DAYS, MIN_DELETION_WINDOW_DAYS

LIFECYCLES = ("durable", "ephemeral")
EPHEMERAL_LOCAL = "stack_is_ephemeral"
# Secrets Manager deletes a secret at once, without recovery, when the window is 0 (the provider's
# `recovery_window_in_days`; AWS's ForceDeleteWithoutRecovery).
NO_RECOVERY_WINDOW = 0


@dataclass(frozen=True)
class StackLifecycle:
    """The decisions, as Terraform expression tokens: `force_destroy` (bool, buckets),
    `table_deletion_protection` (bool), `secret_recovery_window_days` and `key_deletion_window_days`
    (numbers), `archive_tamper_protection` (bool, the log archive's deny)."""

    force_destroy: IResolvable
    table_deletion_protection: IResolvable
    secret_recovery_window_days: float
    key_deletion_window_days: float
    archive_tamper_protection: IResolvable


def stack_lifecycle(scope: Construct, table_deletion_protection: IResolvable) -> StackLifecycle:
    """Declares the local the decisions read (`local.stack_is_ephemeral`) and returns them;
    `table_deletion_protection` is the variable's value that a durable stack keeps."""
    ephemeral = TerraformLocal(scope, EPHEMERAL_LOCAL, f'${{var.stack_lifecycle == "{LIFECYCLES[1]}"}}').as_boolean
    durable = Op.not_(ephemeral)
    return StackLifecycle(
        force_destroy=ephemeral,
        table_deletion_protection=Op.and_(durable, table_deletion_protection),
        secret_recovery_window_days=Token.as_number(
            Fn.conditional(ephemeral, NO_RECOVERY_WINDOW, RECOVERY_WINDOW_DAYS)
        ),
        key_deletion_window_days=Token.as_number(
            Fn.conditional(ephemeral, MIN_DELETION_WINDOW_DAYS, DELETION_WINDOW_DAYS)
        ),
        archive_tamper_protection=durable,
    )
