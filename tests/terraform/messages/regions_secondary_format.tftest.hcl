# A secondary region that is not a region name (the tertiary region's checks refer to it, so
# Terraform skips them).

run "regions_secondary_format" {
  command = plan

  variables {
    secondary_region = "us-west"
    waf_rate_limit   = 2000000001
  }
}
