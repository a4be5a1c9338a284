# Maxima that are not whole numbers of at least 1, one of them also below its minimum. (With an invalid minimum Terraform would
# skip both checks of its maximum: a validation that refers to a failed variable is not evaluated.)

run "capacity_max_out_of_range" {
  command = plan

  variables {
    dynamodb_read_capacity_max  = 7.5
    dynamodb_write_capacity_max = 0
  }
}
