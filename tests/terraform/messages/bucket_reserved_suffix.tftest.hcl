# S3 reserves the suffixes -s3alias, --ol-s3, .mrap, --x-s3 and --table-s3.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "reserved_suffix" {
  command = plan

  variables {
    lambda_log_bucket_name = "acme-logs--table-s3"
  }
}
