# Deliberately failing: a reservation below -1.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "reserved_concurrency_below_minus_one" {
  command = plan

  variables {
    lambda_reserved_concurrency = -2
  }
}
