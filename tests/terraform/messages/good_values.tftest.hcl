# Must pass: the edge of every rule from the good side, so a validation that refuses everything fails
# this run.

run "good_values" {
  command = plan

  variables {
    allowed_ip_ranges           = ["10.0.0.0/8", "198.51.100.7/32", "2001:db8::/32", "2001:db8:1::1/128", "0.0.0.0/0", "::/0"]
    allow_wide_ip_ranges        = true
    lambda_log_bucket_name      = "logs.example-1.acme"
    dynamodb_table_name         = "Tap_Items.v2"
    cors_allow_origin           = "https://app.example.com:8443"
    alarm_email                 = "on-call+tap@ops.example.co.uk"
    dynamodb_read_capacity_min  = 7
    dynamodb_read_capacity_max  = 7
    dynamodb_write_capacity_min = 1
    # Above AWS's default quotas (tapgen/aws_rules/quotas.py), which an account may have raised.
    dynamodb_write_capacity_max = 238096
    api_throttle_rate_limit     = 1000000
    api_throttle_burst_limit    = 500000
    lambda_reserved_concurrency = 166667
    # A key and a value of the longest lengths AWS allows, an empty value, a contract key.
    tags = {
      "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk." = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv@"
      "Empty"  = ""
      "Owner"  = "someone-else"
    }
  }

  assert {
    condition     = aws_dynamodb_table.tap_stack_data.name == "Tap_Items.v2" && aws_s3_bucket.tap_stack_logs.bucket == "logs.example-1.acme"
    error_message = "Good values must reach the resources unchanged."
  }
}
