# A break-glass principal that is an assumed-role session, not the role itself (aws:PrincipalArn
# of a session is the role's ARN, so a session ARN would exempt nobody).

run "log_archive_break_glass" {
  command = plan

  variables {
    log_archive_break_glass_principal_arn = "arn:aws:sts::123456789012:assumed-role/admin/alice"
  }
}
