# Deliberately failing, on the scale bundle (scale, item stream, cache and its network are on): the
# variables of the private network, scale, item stream and cache options.

run "options_bad_values" {
  command = plan

  variables {
    vpc_cidr                            = "10.40.0.0/8"
    admin_cidr                          = "0.0.0.0/0"
    provisioned_concurrency             = 0
    provisioned_concurrency_min         = 5
    provisioned_concurrency_max         = 3
    provisioned_concurrency_utilization = 0.95
    item_stream_mode                    = "BURST"
    item_stream_shard_count             = 0
    item_stream_retention_hours         = 12
    cache_node_type                     = "t4g.small"
    cache_node_count                    = 7
    cache_ttl_seconds                   = 0
  }
}
