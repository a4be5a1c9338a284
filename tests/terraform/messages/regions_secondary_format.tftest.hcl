# A secondary region that is not a region name (the tertiary region's checks refer to it, so
# Terraform skips them).

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

run "regions_secondary_format" {
  command = plan

  variables {
    secondary_region = "us-west"
    waf_rate_limit   = 2000000001
  }
}
