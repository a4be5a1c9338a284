# An origin browsers never send (:443 is left out) and an address without a top-level domain.

run "origin_and_email" {
  command = plan

  variables {
    cors_allow_origin = "https://app.example.com:443"
    alarm_email       = "oncall@localhost"
  }
}
