# A break-glass principal that is an assumed-role session, not the role itself (aws:PrincipalArn
# of a session is the role's ARN, so a session ARN would exempt nobody); and Object Lock on an
# ephemeral stack's archive, which its destroy could not empty.

run "log_archive_break_glass" {
  command = plan

  variables {
    log_archive_break_glass_principal_arn = "arn:aws:sts::123456789012:assumed-role/admin/alice"
    log_archive_object_lock               = true
    stack_lifecycle                       = "ephemeral"
  }
}
