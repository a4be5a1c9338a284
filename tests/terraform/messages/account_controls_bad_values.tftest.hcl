# Deliberately failing, on the account_controls=on bundle: a password policy outside what IAM's
# UpdateAccountPasswordPolicy accepts.

run "account_controls_bad_values" {
  command = plan

  variables {
    password_minimum_length   = 5
    password_max_age_days     = 1096
    password_reuse_prevention = 25
  }
}
