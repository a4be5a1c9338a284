# S3 refuses names formatted as an IP address.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "ip_form" {
  command = plan

  variables {
    lambda_log_bucket_name = "192.168.5.4"
  }
}
