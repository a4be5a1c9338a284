# S3 refuses two adjacent periods.

run "adjacent_periods" {
  command = plan

  variables {
    lambda_log_bucket_name = "acme..logs"
  }
}
