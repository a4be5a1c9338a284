# An empty allow-list would deny everyone.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "empty_allow_list" {
  command = plan

  variables {
    allowed_ip_ranges = []
  }
}
