# S3 reserves the prefixes xn--, sthree- and amzn-s3-demo-.

run "reserved_prefix" {
  command = plan

  variables {
    lambda_log_bucket_name = "xn--acme-logs"
  }
}
