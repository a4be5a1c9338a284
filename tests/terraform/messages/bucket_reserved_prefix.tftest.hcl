# S3 reserves the prefixes xn--, sthree- and amzn-s3-demo-.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "reserved_prefix" {
  command = plan

  variables {
    lambda_log_bucket_name = "xn--acme-logs"
  }
}
