# Deliberately failing: an ops team's bad values. test_terraform.py runs every file in this folder
# and asserts that Terraform reports each bad value with exactly the message a person needs (the
# variable, the value or bad element, and the rule). `terraform test` skips the runs after a failed
# one, so each file holds one failing run; good_values.tftest.hcl holds the one that must pass.

run "bad_values" {
  command = plan

  variables {
    aws_region                  = "mars-north"
    project_name                = "TAP"
    environment                 = "prod env"
    environment_suffix          = "-x"
    owner                       = ""
    dynamodb_table_name         = "t"
    lambda_log_bucket_name      = "Not_A_Bucket"
    allowed_ip_ranges           = ["203.0.113.0/33"]
    lambda_timeout              = 1000
    lambda_memory_size          = 64
    log_retention_days          = 42
    log_archive_retention_days  = 30
    api_throttle_burst_limit    = 0
    api_throttle_rate_limit     = 2.5
    metrics_throttle_burst_limit = 0
    metrics_throttle_rate_limit = 0.5
    api_cache_enabled           = true
    log_archive_object_lock_mode = "LEGAL_HOLD"
    cors_allow_origin           = "http://app.example.com"
    api_latency_threshold_ms    = 1.5
    alarm_email                 = "not-an-email"
    data_retention_days         = -1
    dynamodb_read_capacity_min  = 0
    dynamodb_write_capacity_min = 0.5
    dynamodb_target_utilization = 95
    stack_lifecycle             = "temporary"
  }
}
