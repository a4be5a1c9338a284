# S3 reserves the suffixes -s3alias, --ol-s3, .mrap, --x-s3 and --table-s3.

run "reserved_suffix" {
  command = plan

  variables {
    lambda_log_bucket_name = "acme-logs--table-s3"
  }
}
