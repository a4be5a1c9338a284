# A CIDR block listed twice.

run "repeated" {
  command = plan

  variables {
    allowed_ip_ranges = ["203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/24"]
  }
}
