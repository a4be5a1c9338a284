# Prefixes shorter than /8 (IPv4) or /32 (IPv6) need allow_wide_ip_ranges = true.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24"]
}

run "too_wide" {
  command = plan

  variables {
    allowed_ip_ranges = ["0.0.0.0/0", "10.0.0.0/7", "10.0.0.0/8", "::/0", "2001:db8::/31", "2001:db8::/32"]
  }
}
