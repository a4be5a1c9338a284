# Mocked AWS provider data shared by stack.tftest.hcl and ../messages/*.tftest.hcl (both load it with
# `mock_provider "aws" { source = "./tests" }` from the root module that test_terraform.py prepares).

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
}
mock_data "aws_availability_zones" {
  defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c"] }
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
mock_resource "aws_secretsmanager_secret" {
  defaults = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tap-dev/app-AbCdEf" }
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
  defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/tap-dev-items" }
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
# Regions and WAF (ARN-shaped values the provider validates; tests override them per region where
# an assertion must tell the regions apart).
mock_resource "aws_wafv2_web_acl" {
  defaults = { arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/tap-dev-api/0a1b2c3d-0000-0000-0000-000000000000" }
}
mock_resource "aws_acm_certificate" {
  defaults = {
    arn                       = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-0000-0000-000000000000"
    domain_validation_options = [{ domain_name = "api.example.com", resource_record_name = "_0a1b2c3d.api.example.com.", resource_record_type = "CNAME", resource_record_value = "_0a1b2c3d.acm-validations.aws." }]
  }
}
mock_resource "aws_acm_certificate_validation" {
  defaults = { certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-0000-0000-000000000000" }
}
mock_resource "aws_dynamodb_table_replica" {
  defaults = { arn = "arn:aws:dynamodb:us-west-2:123456789012:table/tap-dev-items" }
}
mock_resource "aws_synthetics_canary" {
  defaults = { arn = "arn:aws:synthetics:us-east-1:123456789012:canary:tap-dev-health" }
}
mock_resource "aws_athena_workgroup" {
  defaults = { arn = "arn:aws:athena:us-east-1:123456789012:workgroup/tap-dev-logs" }
}
