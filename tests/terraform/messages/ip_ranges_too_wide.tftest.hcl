# Prefixes shorter than /8 (IPv4) or /32 (IPv6) need allow_wide_ip_ranges = true.

run "too_wide" {
  command = plan

  variables {
    allowed_ip_ranges = ["0.0.0.0/0", "10.0.0.0/7", "10.0.0.0/8", "::/0", "2001:db8::/31", "2001:db8::/32"]
  }
}
