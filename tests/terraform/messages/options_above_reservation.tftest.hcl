# Deliberately failing, on the scale bundle: more provisioned concurrency allowed than the function's reserved
# concurrency, which Lambda would refuse once autoscaling reached it (a cross-variable validation: in a file of its own).

run "options_above_reservation" {
  command = plan

  variables {
    lambda_reserved_concurrency = 5
    provisioned_concurrency_max = 10
  }
}
