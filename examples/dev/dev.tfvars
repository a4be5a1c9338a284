# A dev environment: one region, thrown away and re-created at will.
project_name           = "tap"
environment            = "dev"
owner                  = "platform-team"
aws_region             = "us-east-1"
lambda_log_bucket_name = "acme-tap-dev-logs"
allowed_ip_ranges      = ["203.0.113.0/24"]
stack_lifecycle        = "ephemeral"
log_retention_days     = 14
