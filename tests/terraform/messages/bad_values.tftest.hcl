# Deliberately failing: an ops team's bad values. test_terraform.py runs this file and asserts
# that Terraform reports each value with the message a person needs (name, value, what is allowed).

mock_provider "aws" {}

run "bad_values" {
  command = plan

  variables {
    aws_region             = "mars-north"
    environment_suffix     = "-x"
    lambda_log_bucket_name = "Not_A_Bucket"
    allowed_ip_ranges      = ["203.0.113.0/33"]
    lambda_timeout         = 1000
    log_retention_days     = 42
    alarm_email            = "not-an-email"
  }
}
