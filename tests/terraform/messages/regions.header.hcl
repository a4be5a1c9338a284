# Prepended by tests/terraform/test_terraform.py to every message file it runs on the bundle of
# regions=3, waf=on: the provider mocks and the required variables, stated once.

mock_provider "aws" {
  source = "./tests"
}
mock_provider "aws" {
  alias  = "secondary"
  source = "./tests"
}
mock_provider "aws" {
  alias  = "tertiary"
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
  domain_name            = "api.example.com"
  hosted_zone_id         = "Z0123456789ABCDEFGHIJ"
}
