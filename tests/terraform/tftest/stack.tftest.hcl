# `terraform test` against the generated root module, with the AWS provider mocked: no AWS account,
# no network. Run by tests/terraform/test_terraform.py, which copies this folder beside the bundle.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  # Computed ARNs flow into attributes the provider validates as ARNs.
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0000-0000-0000-000000000000", key_id = "0a1b2c3d-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::acme-tap-test-logs" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_kinesis_firehose_delivery_stream" {
    defaults = { arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/mock" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/tap-stack-data" }
  }
  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:us-east-1:123456789012:event-bus/mock" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock/invocations"
    }
  }
  mock_resource "aws_api_gateway_rest_api" {
    defaults = { execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123", root_resource_id = "root" }
  }
  mock_resource "aws_api_gateway_stage" {
    defaults = { invoke_url = "https://abc123.execute-api.us-east-1.amazonaws.com/prod", arn = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod" }
  }
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
    condition     = aws_dynamodb_table.tap_stack_data.name == "tap-stack-data" && aws_dynamodb_table.tap_stack_data.hash_key == "tenant_id" && aws_dynamodb_table.tap_stack_data.range_key == "item_id"
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
}

run "apply_with_suffix_email_and_cache" {
  command = apply

  variables {
    environment        = "prod"
    environment_suffix = "pr42"
    alarm_email        = "oncall@example.com"
    api_cache_enabled  = true
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
    condition     = aws_api_gateway_stage.tap_stack_stage.cache_cluster_enabled && aws_api_gateway_method_settings.tap_stack_method_settings.settings[0].caching_enabled
    error_message = "api_cache_enabled must turn on the stage cache and method caching."
  }
  assert {
    condition     = !aws_api_gateway_method_settings.tap_stack_api_health_method_settings.settings[0].caching_enabled
    error_message = "The health check must never be cached."
  }
  assert {
    condition     = output.health_url == "${aws_api_gateway_stage.tap_stack_stage.invoke_url}/health" && output.api_url == aws_api_gateway_stage.tap_stack_stage.invoke_url
    error_message = "health_url is the stage URL plus /health."
  }
  assert {
    condition     = output.lambda_function_name == "tap-prod-pr42-api" && output.dynamodb_table_name == "tap-stack-data" && output.log_bucket_name == "acme-tap-test-logs"
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
  }

  assert {
    condition = alltrue([for name in [
      aws_lambda_function.tap_stack_lambda.function_name,
      aws_lambda_function.tap_stack_health_lambda.function_name,
      aws_iam_role.tap_stack_lambda_role.name,
      aws_iam_role.tap_stack_health_lambda_role.name,
      aws_iam_role.tap_stack_api_account_cloudwatch_role.name,
      aws_iam_role.tap_stack_log_archive_firehose_role.name,
      aws_iam_role.tap_stack_log_archive_subscription_role.name,
      aws_kinesis_firehose_delivery_stream.tap_stack_log_archive.name,
    ] : length(name) <= 64])
    error_message = "Lambda, IAM role and Firehose names must stay within 64 characters."
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
    api_cache_size         = "2"
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
    var.api_cache_size,
  ]
}

run "rejects_out_of_range_numbers" {
  command = plan

  variables {
    lambda_timeout              = 901
    lambda_memory_size          = 64
    log_retention_days          = 42
    log_archive_retention_days  = 30
    api_throttle_burst_limit    = 0
    api_throttle_rate_limit     = 10001
    api_cache_ttl_seconds       = 3601
    api_latency_threshold_ms    = 1.5
    data_retention_days         = -1
    dynamodb_read_capacity_min  = 0
    dynamodb_read_capacity_max  = 40001
    dynamodb_write_capacity_min = 0
    dynamodb_write_capacity_max = 0
    dynamodb_target_utilization = 95
  }

  expect_failures = [
    var.lambda_timeout,
    var.lambda_memory_size,
    var.log_retention_days,
    var.log_archive_retention_days,
    var.api_throttle_burst_limit,
    var.api_throttle_rate_limit,
    var.api_cache_ttl_seconds,
    var.api_latency_threshold_ms,
    var.data_retention_days,
    var.dynamodb_read_capacity_min,
    var.dynamodb_read_capacity_max,
    var.dynamodb_write_capacity_min,
    var.dynamodb_write_capacity_max,
    var.dynamodb_target_utilization,
  ]
}

run "rejects_an_empty_ip_allow_list" {
  command = plan

  variables {
    allowed_ip_ranges = []
  }

  expect_failures = [var.allowed_ip_ranges]
}
