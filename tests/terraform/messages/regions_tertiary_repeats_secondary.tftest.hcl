# The tertiary region may repeat neither the primary nor the secondary one (judged only when
# both are valid: Terraform skips a validation that refers to a failed variable); a DNS name
# one character over 253.

run "regions_tertiary_repeats_secondary" {
  command = plan

  variables {
    secondary_region           = "us-west-2"
    tertiary_region            = "us-west-2"
    domain_name                = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.com"
    canary_schedule_expression = "rate(1 minutes)"
  }
}
