# A tertiary region that is not a region name, with a valid secondary one.

run "regions_tertiary_format" {
  command = plan

  variables {
    tertiary_region = "eu-central"
  }
}
