# A capacity maximum below its minimum (a cross-variable rule: Terraform 1.9+).

run "inverted_capacity" {
  command = plan

  variables {
    dynamodb_read_capacity_min  = 10
    dynamodb_read_capacity_max  = 5
    dynamodb_write_capacity_min = 20
    dynamodb_write_capacity_max = 19
  }
}
