# An empty allow-list would deny everyone.

run "empty_allow_list" {
  command = plan

  variables {
    allowed_ip_ranges = []
  }
}
