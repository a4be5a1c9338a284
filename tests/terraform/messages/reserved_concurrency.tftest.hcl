# Deliberately failing: a reservation below -1, and an account pool of no execution.

run "reserved_concurrency_below_minus_one" {
  command = plan

  variables {
    lambda_reserved_concurrency = -2
    lambda_account_concurrency  = 0
  }
}
