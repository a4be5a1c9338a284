# Deliberately failing, on the regions=3, waf=on bundle (every variable of the options exists
# there): the variables of the canary, WAF, regions, routing, analytics and replication options. The aliased
# providers are mocked too. A region that repeats an earlier one names both in its message.

run "regions_bad_values" {
  command = plan

  variables {
    secondary_region               = "us-east-1"
    domain_name                    = "API.example.com"
    hosted_zone_id                 = "X12"
    athena_results_retention_days  = 0
    canary_schedule_expression     = "rate(61 minutes)"
    canary_artifact_retention_days = 3651
    waf_rate_limit                 = 9
    waf_tenant_rate_limit          = 2000000001
    log_replica_storage_class      = "REDUCED_REDUNDANCY"
  }
}
