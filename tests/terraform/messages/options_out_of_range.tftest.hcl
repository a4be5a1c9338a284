# Deliberately failing, on the largest bundle: the upper bound of provisioned concurrency out of range (alone: a
# validation that names another variable is not evaluated while that variable is invalid).

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

run "options_out_of_range" {
  command = plan

  variables {
    provisioned_concurrency_max = 100001
  }
}
