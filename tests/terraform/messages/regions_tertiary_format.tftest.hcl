# A tertiary region that is not a region name, with a valid secondary one.

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

run "regions_tertiary_format" {
  command = plan

  variables {
    tertiary_region = "eu-central"
  }
}
