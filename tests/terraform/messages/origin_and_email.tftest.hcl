# An origin browsers never send (:443 is left out) and an address without a top-level domain.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "origin_and_email" {
  command = plan

  variables {
    cors_allow_origin = "https://app.example.com:443"
    alarm_email       = "oncall@localhost"
  }
}
