# Deliberately failing, on the largest bundle: more provisioned concurrency allowed than the function's reserved
# concurrency, which Lambda would refuse once autoscaling reached it (a cross-variable validation: in a file of its own).

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

run "options_above_reservation" {
  command = plan

  variables {
    lambda_reserved_concurrency = 5
    provisioned_concurrency_max = 10
  }
}
