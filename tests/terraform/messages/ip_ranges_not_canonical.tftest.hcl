# Host bits set (10.0.0.1/24) or a non-canonical spelling: the message names each element and its network address.

run "host_bits_set" {
  command = plan

  variables {
    allowed_ip_ranges = ["203.0.113.0/24", "10.0.0.1/24", "2001:DB8::/32"]
  }
}
