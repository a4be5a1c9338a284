# Deliberately failing, on the scale bundle: the lower bound of provisioned concurrency out of range (alone: a
# validation that names another variable is not evaluated while that variable is invalid).

run "options_min_out_of_range" {
  command = plan

  variables {
    provisioned_concurrency_min = 0
  }
}
