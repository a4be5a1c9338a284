# Grants naming a session instead of a role, an empty list, a bad tenant id; a zero rotation period.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

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
