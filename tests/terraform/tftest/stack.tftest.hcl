# `terraform test` against the generated root module, with the AWS provider mocked: no AWS account,
# no network. Run by tests/terraform/test_terraform.py, which copies this folder beside the bundle.

mock_provider "aws" {
  source = "./tests"
}

variables {
  lambda_log_bucket_name = "acme-tap-test-logs"
  allowed_ip_ranges      = ["203.0.113.0/24", "2001:db8::/32"]
}

run "plan_with_defaults" {
  command = plan

  assert {
    condition     = aws_lambda_function.tap_stack_lambda.function_name == "tap-dev-api"
    error_message = "CRUD function name must derive from project_name and environment."
  }
  assert {
    condition     = aws_lambda_function.tap_stack_lambda.filename == "function.zip" && aws_lambda_function.tap_stack_health_lambda.filename == "health.zip"
    error_message = "Functions must deploy the bundled archives."
  }
  assert {
    condition     = aws_lambda_function.tap_stack_lambda.timeout == 29 && aws_lambda_function.tap_stack_lambda.memory_size == 256
    error_message = "Timeout and memory must come from their variables."
  }
  assert {
    condition     = aws_lambda_function.tap_stack_lambda.environment[0].variables["DATA_RETENTION_DAYS"] == "365"
    error_message = "DATA_RETENTION_DAYS must carry var.data_retention_days."
  }
  assert {
    condition     = aws_dynamodb_table.tap_stack_data.name == "tap-dev-items" && aws_dynamodb_table.tap_stack_data.hash_key == "tenant_id" && aws_dynamodb_table.tap_stack_data.range_key == "item_id"
    error_message = "Item table keys are part of the contract."
  }
  assert {
    condition     = aws_appautoscaling_policy.tap_stack_data_read_policy.name == "DynamoDBReadAutoScalingPolicy" && aws_appautoscaling_policy.tap_stack_data_write_policy.name == "DynamoDBWriteAutoScalingPolicy"
    error_message = "Autoscaling policy names are part of the contract."
  }
  assert {
    condition     = aws_s3_bucket.tap_stack_logs.bucket == "acme-tap-test-logs"
    error_message = "The log bucket must be named by lambda_log_bucket_name."
  }
  assert {
    condition     = length(aws_sns_topic_subscription.tap_stack_alerts_email) == 0
    error_message = "No e-mail subscription without alarm_email."
  }
  assert {
    condition     = aws_api_gateway_stage.tap_stack_stage.stage_name == "dev" && aws_api_gateway_stage.tap_stack_stage.xray_tracing_enabled
    error_message = "Stage is named by the environment and traced."
  }
  assert {
    condition     = aws_api_gateway_method_settings.tap_stack_method_settings.settings[0].throttling_burst_limit == 100 && aws_api_gateway_method_settings.tap_stack_method_settings.settings[0].throttling_rate_limit == 50
    error_message = "Throttling must come from the variables."
  }
  assert {
    condition     = aws_cloudwatch_log_group.tap_stack_lambda_logs.name == "/aws/lambda/tap-dev-api" && aws_cloudwatch_log_group.tap_stack_lambda_logs.retention_in_days == 365
    error_message = "The function's log group must be the one Lambda writes to, with retention."
  }
  assert {
    condition     = aws_kms_alias.tap_stack_kms_alias.name == "alias/tap-dev"
    error_message = "KMS alias derives from the name prefix."
  }
  assert {
    condition = [
      aws_iam_role.tap_stack_lambda_role.name,
      aws_iam_role.tap_stack_health_lambda_role.name,
      aws_iam_role.tap_stack_api_account_cloudwatch_role[0].name,
      aws_iam_role.tap_stack_log_archive_firehose_role.name,
      aws_iam_role.tap_stack_log_archive_subscription_role.name,
      ] == [
      "tap-dev-us-east-1-api-lambda",
      "tap-dev-us-east-1-health-lambda",
      "tap-dev-us-east-1-apigw-logs",
      "tap-dev-us-east-1-log-firehose",
      "tap-dev-us-east-1-log-subscription",
    ]
    error_message = "IAM role names are <prefix>-<region>-<role>: IAM is global."
  }
  assert {
    condition     = length(aws_api_gateway_account.tap_stack_api_account) == 1 && length(aws_iam_role.tap_stack_api_account_cloudwatch_role) == 1
    error_message = "By default the stack manages the region's API Gateway account setting and its role."
  }
  assert {
    condition     = !aws_s3_bucket.tap_stack_logs.force_destroy && !aws_s3_bucket.tap_stack_canary_artifacts.force_destroy && aws_dynamodb_table.tap_stack_data.deletion_protection_enabled && aws_dynamodb_table.tap_stack_grants.deletion_protection_enabled && aws_secretsmanager_secret.tap_stack_secret.recovery_window_in_days == 30 && aws_kms_key.tap_stack_kms.deletion_window_in_days == 30
    error_message = "A durable stack (the default) keeps its buckets' objects, its tables' deletion protection and the 30-day windows of its secret and key."
  }
}

run "apply_with_suffix_and_email" {
  command = apply

  variables {
    environment        = "prod"
    environment_suffix = "pr42"
    alarm_email        = "oncall@example.com"
    lambda_timeout     = 10
    data_retention_days = 0
  }

  assert {
    condition     = aws_lambda_function.tap_stack_lambda.function_name == "tap-prod-pr42-api"
    error_message = "environment_suffix must be part of physical names."
  }
  assert {
    condition     = length(aws_sns_topic_subscription.tap_stack_alerts_email) == 1 && aws_sns_topic_subscription.tap_stack_alerts_email[0].endpoint == "oncall@example.com"
    error_message = "alarm_email must subscribe to the topic."
  }
  assert {
    condition     = !aws_api_gateway_stage.tap_stack_stage.cache_cluster_enabled && !aws_api_gateway_method_settings.tap_stack_method_settings.settings[0].caching_enabled && !aws_api_gateway_method_settings.tap_stack_api_health_method_settings.settings[0].caching_enabled
    error_message = "The stage must never cache a response: a cache hit would skip the tenant grant check."
  }
  assert {
    condition     = output.health_url == "${aws_api_gateway_stage.tap_stack_stage.invoke_url}/health" && output.api_url == aws_api_gateway_stage.tap_stack_stage.invoke_url
    error_message = "health_url is the stage URL plus /health."
  }
  assert {
    condition     = output.lambda_function_name == "tap-prod-pr42-api" && output.dynamodb_table_name == "tap-prod-pr42-items" && output.log_bucket_name == "acme-tap-test-logs"
    error_message = "Fixed outputs must name the deployed resources."
  }
  assert {
    condition     = aws_lambda_function.tap_stack_lambda.environment[0].variables["DATA_RETENTION_DAYS"] == "0"
    error_message = "A retention of 0 (no expiry) must reach the function."
  }
}

run "longest_allowed_names_fit_aws_limits" {
  command = plan

  variables {
    project_name       = "abcdefghijklmnop"
    environment        = "abcdefghij"
    environment_suffix = "abcdefghij"
    aws_region         = "ap-southeast-2"
  }

  assert {
    condition = alltrue([for name in [
      aws_lambda_function.tap_stack_lambda.function_name,
      aws_lambda_function.tap_stack_health_lambda.function_name,
      aws_iam_role.tap_stack_lambda_role.name,
      aws_iam_role.tap_stack_health_lambda_role.name,
      aws_iam_role.tap_stack_api_account_cloudwatch_role[0].name,
      aws_iam_role.tap_stack_log_archive_firehose_role.name,
      aws_iam_role.tap_stack_log_archive_subscription_role.name,
      aws_kinesis_firehose_delivery_stream.tap_stack_log_archive.name,
    ] : length(name) <= 64])
    error_message = "Lambda, IAM role and Firehose names must stay within 64 characters."
  }
  assert {
    condition = [
      aws_iam_role.tap_stack_lambda_role.name,
      aws_iam_role.tap_stack_log_archive_subscription_role.name,
      ] == [
      "abcdefghijklmnop-abcdefghij-abcdefghij-ap-southeast-2-api-lambda",
      "${substr("abcdefghijklmnop-abcdefghij-abcdefghij-ap-southeast-2-log-subscription", 0, 55)}-${substr(sha1("abcdefghijklmnop-abcdefghij-abcdefghij-ap-southeast-2-log-subscription"), 0, 8)}",
    ]
    error_message = "An IAM role name over 64 characters keeps 55 and ends with 8 hex digits of its SHA-1."
  }
  assert {
    condition = length(distinct([
      aws_iam_role.tap_stack_lambda_role.name,
      aws_iam_role.tap_stack_health_lambda_role.name,
      aws_iam_role.tap_stack_api_account_cloudwatch_role[0].name,
      aws_iam_role.tap_stack_log_archive_firehose_role.name,
      aws_iam_role.tap_stack_log_archive_subscription_role.name,
    ])) == 5
    error_message = "Shortened IAM role names must stay distinct."
  }
  assert {
    condition     = length(aws_sns_topic.tap_stack_alerts.name) <= 256 && length(aws_api_gateway_rest_api.tap_stack_api.name) <= 1024
    error_message = "Topic and API names must respect AWS limits."
  }
}

run "rejects_bad_names_and_regions" {
  command = plan

  variables {
    aws_region             = "mars-north"
    project_name           = "TAP"
    environment            = "prod env"
    environment_suffix     = "-x"
    owner                  = ""
    dynamodb_table_name    = "t"
    lambda_log_bucket_name = "Not_A_Bucket"
    allowed_ip_ranges      = ["not-a-cidr"]
    cors_allow_origin      = "ftp://example.com"
    alarm_email            = "not-an-email"
    api_cache_enabled      = true
  }

  expect_failures = [
    var.aws_region,
    var.project_name,
    var.environment,
    var.environment_suffix,
    var.owner,
    var.dynamodb_table_name,
    var.lambda_log_bucket_name,
    var.allowed_ip_ranges,
    var.cors_allow_origin,
    var.alarm_email,
    var.api_cache_enabled,
  ]
}

# The CRUD function's concurrency alarm fires above 80% of what it may run at once: the account's
# pool without a reservation, else the reservation.
run "concurrency_alarm_follows_the_ceiling" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.tap_stack_lambda_concurrency_alarm.threshold == 800
    error_message = "Without a reservation, the alarm must fire above 80% of lambda_account_concurrency (1,000)."
  }
}

run "concurrency_alarm_follows_a_reservation" {
  command = plan

  variables {
    lambda_reserved_concurrency = 50
    lambda_account_concurrency  = 5000
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.tap_stack_lambda_concurrency_alarm.threshold == 40
    error_message = "With a reservation, the alarm must fire above 80% of it."
  }
}

run "rejects_out_of_range_numbers" {
  command = plan

  variables {
    lambda_timeout              = 901
    lambda_memory_size          = 64
    log_retention_days          = 42
    log_archive_retention_days  = 30
    api_throttle_burst_limit    = 0
    api_throttle_rate_limit     = 2.5
    api_latency_threshold_ms    = 1.5
    data_retention_days         = -1
    dynamodb_read_capacity_min  = 0
    dynamodb_write_capacity_min = 0
    dynamodb_target_utilization = 95
  }

  expect_failures = [
    var.lambda_timeout,
    var.lambda_memory_size,
    var.log_retention_days,
    var.log_archive_retention_days,
    var.api_throttle_burst_limit,
    var.api_throttle_rate_limit,
    var.api_latency_threshold_ms,
    var.data_retention_days,
    var.dynamodb_read_capacity_min,
    var.dynamodb_write_capacity_min,
    var.dynamodb_target_utilization,
  ]
}

# A maximum's own range check and its cross-variable check (at least the minimum) are reported only
# when the minimum itself is valid: Terraform skips validations that refer to a failed variable.
run "rejects_out_of_range_and_inverted_capacity_bounds" {
  command = plan

  variables {
    dynamodb_read_capacity_max  = 0.5
    dynamodb_write_capacity_min = 10
    dynamodb_write_capacity_max = 9
  }

  expect_failures = [
    var.dynamodb_read_capacity_max,
    var.dynamodb_write_capacity_max,
  ]
}

run "rejects_an_empty_ip_allow_list" {
  command = plan

  variables {
    allowed_ip_ranges = []
  }

  expect_failures = [var.allowed_ip_ranges]
}

run "explicit_table_name_wins_and_other_regions_get_other_iam_names" {
  command = plan

  variables {
    dynamodb_table_name = "tap-stack-data"
    aws_region          = "eu-west-1"
  }

  assert {
    condition     = aws_dynamodb_table.tap_stack_data.name == "tap-stack-data" && output.dynamodb_table_name == "tap-stack-data"
    error_message = "An explicit dynamodb_table_name wins over the derived one."
  }
  assert {
    condition     = aws_lambda_function.tap_stack_lambda.environment[0].variables["TABLE_NAME"] == "tap-stack-data"
    error_message = "The function must read the table that exists."
  }
  assert {
    condition     = aws_iam_role.tap_stack_lambda_role.name == "tap-dev-eu-west-1-api-lambda"
    error_message = "The same prefix in another region must get other IAM names."
  }
}

run "api_gateway_account_left_to_an_existing_setting" {
  command = plan

  variables {
    manage_api_gateway_account = false
  }

  assert {
    condition     = length(aws_api_gateway_account.tap_stack_api_account) == 0 && length(aws_iam_role.tap_stack_api_account_cloudwatch_role) == 0 && length(aws_iam_role_policy.tap_stack_api_account_cloudwatch_role_policy) == 0
    error_message = "manage_api_gateway_account = false must create neither the account setting nor its role."
  }
}

run "accepts_every_kind_of_good_value" {
  command = plan

  variables {
    allowed_ip_ranges           = ["10.0.0.0/8", "198.51.100.7/32", "2001:db8::/32", "2001:db8:1::1/128", "0.0.0.0/0", "::/0"]
    allow_wide_ip_ranges        = true
    lambda_log_bucket_name      = "logs.example-1.acme"
    cors_allow_origin           = "https://app.example.com:8443"
    alarm_email                 = "on-call+tap@ops.example.co.uk"
    dynamodb_read_capacity_min  = 7
    dynamodb_read_capacity_max  = 7
    dynamodb_write_capacity_min = 1
    dynamodb_write_capacity_max = 40000
    stack_lifecycle             = "ephemeral"
  }

  assert {
    condition     = aws_s3_bucket.tap_stack_logs.bucket == "logs.example-1.acme"
    error_message = "A bucket name with dots and hyphens is valid."
  }
  assert {
    condition     = aws_s3_bucket.tap_stack_logs.force_destroy && aws_s3_bucket.tap_stack_canary_artifacts.force_destroy && aws_s3_bucket.tap_stack_log_analytics_results.force_destroy
    error_message = "An ephemeral stack's destroy empties every bucket."
  }
  assert {
    condition     = !aws_dynamodb_table.tap_stack_data.deletion_protection_enabled && !aws_dynamodb_table.tap_stack_grants.deletion_protection_enabled
    error_message = "An ephemeral stack's tables have no deletion protection, whatever dynamodb_deletion_protection says."
  }
  assert {
    condition     = aws_secretsmanager_secret.tap_stack_secret.recovery_window_in_days == 0 && aws_kms_key.tap_stack_kms.deletion_window_in_days == 7
    error_message = "An ephemeral stack's secret is deleted at once (its name free for the next apply), its key after the shortest window."
  }
}

# Browsers send the CORS preflight unsigned: API Gateway answers OPTIONS on every route itself
# (no auth, MOCK, 204 and the CORS headers). The log archive cannot be quietly erased, Firehose
# reports failed deliveries, and the event bus is encrypted with the stack's key.
run "preflights_key_and_audit_trail" {
  command = plan

  variables {
    cors_allow_origin                     = "https://app.example.com"
    log_archive_break_glass_principal_arn = "arn:aws:iam::123456789012:role/ops/log-archive-break-glass"
    log_archive_object_lock               = true
    log_archive_retention_days            = 400
  }

  assert {
    condition     = aws_api_gateway_method.tap_stack_api_health_options.http_method == "OPTIONS" && aws_api_gateway_method.tap_stack_api_health_options.authorization == "NONE" && aws_api_gateway_method.tap_stack_api_health_options.resource_id == aws_api_gateway_resource.tap_stack_api_health.id
    error_message = "health: OPTIONS must exist without authorization."
  }
  assert {
    condition     = aws_api_gateway_integration.tap_stack_api_health_options_integration.type == "MOCK" && aws_api_gateway_integration.tap_stack_api_health_options_integration.request_templates["application/json"] == "{\"statusCode\": 204}"
    error_message = "health: the preflight must be a MOCK integration that selects 204."
  }
  assert {
    condition     = aws_api_gateway_method_response.tap_stack_api_health_options_response.status_code == "204" && aws_api_gateway_integration_response.tap_stack_api_health_options_integration_response.status_code == "204"
    error_message = "health: the preflight must answer 204."
  }
  assert {
    condition = aws_api_gateway_integration_response.tap_stack_api_health_options_integration_response.response_parameters == tomap({
      "method.response.header.Access-Control-Allow-Origin"  = "'https://app.example.com'"
      "method.response.header.Access-Control-Allow-Methods" = "'GET,OPTIONS'"
      "method.response.header.Access-Control-Allow-Headers" = "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Tenant-Id,If-Match'"
      "method.response.header.Access-Control-Max-Age"       = "'600'"
    })
    error_message = "health: the preflight must carry the CORS headers (origin from cors_allow_origin)."
  }
  assert {
    condition     = aws_api_gateway_method.tap_stack_api_items_options.http_method == "OPTIONS" && aws_api_gateway_method.tap_stack_api_items_options.authorization == "NONE" && aws_api_gateway_method.tap_stack_api_items_options.resource_id == aws_api_gateway_resource.tap_stack_api_items.id
    error_message = "items: OPTIONS must exist without authorization."
  }
  assert {
    condition     = aws_api_gateway_integration.tap_stack_api_items_options_integration.type == "MOCK" && aws_api_gateway_integration.tap_stack_api_items_options_integration.request_templates["application/json"] == "{\"statusCode\": 204}"
    error_message = "items: the preflight must be a MOCK integration that selects 204."
  }
  assert {
    condition     = aws_api_gateway_method_response.tap_stack_api_items_options_response.status_code == "204" && aws_api_gateway_integration_response.tap_stack_api_items_options_integration_response.status_code == "204"
    error_message = "items: the preflight must answer 204."
  }
  assert {
    condition = aws_api_gateway_integration_response.tap_stack_api_items_options_integration_response.response_parameters == tomap({
      "method.response.header.Access-Control-Allow-Origin"  = "'https://app.example.com'"
      "method.response.header.Access-Control-Allow-Methods" = "'GET,POST,OPTIONS'"
      "method.response.header.Access-Control-Allow-Headers" = "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Tenant-Id,If-Match'"
      "method.response.header.Access-Control-Max-Age"       = "'600'"
    })
    error_message = "items: the preflight must carry the CORS headers (origin from cors_allow_origin)."
  }
  assert {
    condition     = aws_api_gateway_method.tap_stack_api_items_id_options.http_method == "OPTIONS" && aws_api_gateway_method.tap_stack_api_items_id_options.authorization == "NONE" && aws_api_gateway_method.tap_stack_api_items_id_options.resource_id == aws_api_gateway_resource.tap_stack_api_items_id.id
    error_message = "items_id: OPTIONS must exist without authorization."
  }
  assert {
    condition     = aws_api_gateway_integration.tap_stack_api_items_id_options_integration.type == "MOCK" && aws_api_gateway_integration.tap_stack_api_items_id_options_integration.request_templates["application/json"] == "{\"statusCode\": 204}"
    error_message = "items_id: the preflight must be a MOCK integration that selects 204."
  }
  assert {
    condition     = aws_api_gateway_method_response.tap_stack_api_items_id_options_response.status_code == "204" && aws_api_gateway_integration_response.tap_stack_api_items_id_options_integration_response.status_code == "204"
    error_message = "items_id: the preflight must answer 204."
  }
  assert {
    condition = aws_api_gateway_integration_response.tap_stack_api_items_id_options_integration_response.response_parameters == tomap({
      "method.response.header.Access-Control-Allow-Origin"  = "'https://app.example.com'"
      "method.response.header.Access-Control-Allow-Methods" = "'DELETE,GET,PUT,OPTIONS'"
      "method.response.header.Access-Control-Allow-Headers" = "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Tenant-Id,If-Match'"
      "method.response.header.Access-Control-Max-Age"       = "'600'"
    })
    error_message = "items_id: the preflight must carry the CORS headers (origin from cors_allow_origin)."
  }
  assert {
    condition     = aws_api_gateway_method.tap_stack_api_metrics_options.http_method == "OPTIONS" && aws_api_gateway_method.tap_stack_api_metrics_options.authorization == "NONE" && aws_api_gateway_method.tap_stack_api_metrics_options.resource_id == aws_api_gateway_resource.tap_stack_api_metrics.id
    error_message = "metrics: OPTIONS must exist without authorization."
  }
  assert {
    condition     = aws_api_gateway_integration.tap_stack_api_metrics_options_integration.type == "MOCK" && aws_api_gateway_integration.tap_stack_api_metrics_options_integration.request_templates["application/json"] == "{\"statusCode\": 204}"
    error_message = "metrics: the preflight must be a MOCK integration that selects 204."
  }
  assert {
    condition     = aws_api_gateway_method_response.tap_stack_api_metrics_options_response.status_code == "204" && aws_api_gateway_integration_response.tap_stack_api_metrics_options_integration_response.status_code == "204"
    error_message = "metrics: the preflight must answer 204."
  }
  assert {
    condition = aws_api_gateway_integration_response.tap_stack_api_metrics_options_integration_response.response_parameters == tomap({
      "method.response.header.Access-Control-Allow-Origin"  = "'https://app.example.com'"
      "method.response.header.Access-Control-Allow-Methods" = "'GET,OPTIONS'"
      "method.response.header.Access-Control-Allow-Headers" = "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Tenant-Id,If-Match'"
      "method.response.header.Access-Control-Max-Age"       = "'600'"
    })
    error_message = "metrics: the preflight must carry the CORS headers (origin from cors_allow_origin)."
  }
  assert {
    condition     = aws_cloudwatch_event_bus.tap_stack_events.kms_key_identifier == aws_kms_key.tap_stack_kms.arn
    error_message = "The event bus must be encrypted with the stack's key."
  }
  assert {
    condition     = length(aws_s3_bucket_object_lock_configuration.tap_stack_logs_object_lock) == 1 && aws_s3_bucket_object_lock_configuration.tap_stack_logs_object_lock[0].rule[0].default_retention[0].mode == "GOVERNANCE" && aws_s3_bucket_object_lock_configuration.tap_stack_logs_object_lock[0].rule[0].default_retention[0].days == 400
    error_message = "log_archive_object_lock = true must lock new versions in GOVERNANCE mode for the retention."
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.tap_stack_logs_lifecycle.rule : r.noncurrent_version_expiration[0].noncurrent_days]) == 400
    error_message = "Non-current versions must be kept as long as current ones."
  }
  assert {
    condition     = one(data.aws_iam_policy_document.tap_stack_logs_policy_document.statement[2].condition).values == tolist(["arn:aws:iam::123456789012:role/ops/log-archive-break-glass"])
    error_message = "Only the break-glass principal is exempt from the archive's tamper deny."
  }
  assert {
    condition     = aws_kinesis_firehose_delivery_stream.tap_stack_log_archive.extended_s3_configuration[0].cloudwatch_logging_options[0].enabled && aws_kinesis_firehose_delivery_stream.tap_stack_log_archive.extended_s3_configuration[0].cloudwatch_logging_options[0].log_group_name == "/aws/kinesisfirehose/tap-dev-log-archive"
    error_message = "Firehose must log delivery errors to its own log group."
  }
  assert {
    condition     = aws_cloudwatch_log_group.tap_stack_log_archive_errors.retention_in_days == 365 && aws_cloudwatch_log_group.tap_stack_log_archive_errors.kms_key_id == aws_kms_key.tap_stack_kms.arn
    error_message = "The Firehose error log group is encrypted and has a retention."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.tap_stack_log_archive_delivery_alarm.comparison_operator == "LessThanThreshold" && aws_cloudwatch_metric_alarm.tap_stack_log_archive_delivery_alarm.dimensions["DeliveryStreamName"] == "tap-dev-log-archive"
    error_message = "A failed delivery to the log bucket must raise an alarm."
  }
}

run "no_break_glass_principal_by_default" {
  command = plan

  assert {
    condition     = one(data.aws_iam_policy_document.tap_stack_logs_policy_document.statement[2].condition).values == tolist(["(no break-glass principal)"]) && length(aws_s3_bucket_object_lock_configuration.tap_stack_logs_object_lock) == 0
    error_message = "By default nobody is exempt from the archive's tamper deny, and Object Lock is off."
  }
}
