# Grants naming a session instead of a role, an empty list, a bad tenant id; a zero rotation period.

run "bad_grants" {
  command = plan

  variables {
    tenant_grants = {
      "arn:aws:sts::111111111111:assumed-role/client/session" = ["tenant-a"]
      "arn:aws:iam::111111111111:role/empty"                  = []
      "arn:aws:iam::111111111111:role/spaces"                 = ["tenant a", "*"]
      "arn:aws:iam::111111111111:role/batch"                  = ["*"]
    }
    secret_rotation_days = 0
  }
}
