# The tertiary region may repeat neither the primary nor the secondary one (judged only when
# both are valid: Terraform skips a validation that refers to a failed variable); a DNS name
# one character over 253.

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

run "regions_tertiary_repeats_secondary" {
  command = plan

  variables {
    secondary_region           = "us-west-2"
    tertiary_region            = "us-west-2"
    domain_name                = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.com"
    canary_schedule_expression = "rate(1 minutes)"
  }
}
