# S3 refuses names formatted as an IP address.

run "ip_form" {
  command = plan

  variables {
    lambda_log_bucket_name = "192.168.5.4"
  }
}
