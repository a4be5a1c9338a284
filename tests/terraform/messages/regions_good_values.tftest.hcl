# Must pass, on the regions=3, waf=on bundle: the edge of every option variable's rules from the
# good side.

run "regions_good_values" {
  command = plan

  variables {
    aws_region                     = "ap-southeast-4"
    secondary_region               = "us-gov-west-1"
    tertiary_region                = "us-gov-east-1"
    domain_name                    = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.com"
    hosted_zone_id                 = "Z1"
    athena_results_retention_days  = 3650
    canary_schedule_expression     = "cron(0/5 * * * ? *)"
    canary_artifact_retention_days = 1
    waf_rate_limit                 = 10
    waf_tenant_rate_limit          = 2000000000
    log_replica_storage_class      = "DEEP_ARCHIVE"
  }

  assert {
    condition     = aws_synthetics_canary.tap_stack_canary_tertiary.schedule[0].expression == "cron(0/5 * * * ? *)" && aws_route53_record.tap_stack_api_domain_record_tertiary.name == "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.com"
    error_message = "Good values must reach the resources unchanged."
  }
}
