# S3 refuses two adjacent periods.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "adjacent_periods" {
  command = plan

  variables {
    lambda_log_bucket_name = "acme..logs"
  }
}
