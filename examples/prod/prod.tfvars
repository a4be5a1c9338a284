# Production: two regions behind one routed name, durable (see the bundle README's destroy runbook).
project_name           = "tap"
environment            = "prod"
owner                  = "platform-team"
aws_region             = "us-east-1"
secondary_region       = "us-west-2"
domain_name            = "api.tap.example.com"
hosted_zone_id         = "Z0123456789ABCDEFGHIJ"
lambda_log_bucket_name = "acme-tap-prod-logs"
allowed_ip_ranges      = ["203.0.113.0/24", "198.51.100.0/24"]
alarm_email            = "oncall@example.com"
cors_allow_origin      = "https://app.example.com"
log_archive_object_lock = true
tenant_grants          = { "arn:aws:iam::123456789012:role/tap-client" = ["tenant-a"] }
