# Deliberately failing, on the scale bundle: the upper bound of provisioned concurrency not a whole number (alone: a
# validation that names another variable is not evaluated while that variable is invalid).

run "options_out_of_range" {
  command = plan

  variables {
    provisioned_concurrency_max = 2.5
  }
}
