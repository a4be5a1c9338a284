# Deliberately failing, on the regions=3, waf=on bundle (every variable of the options exists
# there): the variables of the canary, WAF, regions, routing and analytics options. The aliased
# providers are mocked too. A region that repeats an earlier one names both in its message.

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

run "regions_bad_values" {
  command = plan

  variables {
    secondary_region               = "us-east-1"
    domain_name                    = "API.example.com"
    hosted_zone_id                 = "X12"
    athena_results_retention_days  = 90
    canary_schedule_expression     = "rate(61 minutes)"
    canary_artifact_retention_days = 3651
    waf_rate_limit                 = 9
  }
}
