# A CIDR block listed twice.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "repeated" {
  command = plan

  variables {
    allowed_ip_ranges = ["203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/24"]
  }
}
