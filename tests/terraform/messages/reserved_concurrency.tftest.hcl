# Deliberately failing: a reservation below -1.

run "reserved_concurrency_below_minus_one" {
  command = plan

  variables {
    lambda_reserved_concurrency = -2
  }
}
