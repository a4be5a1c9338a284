# Deliberately failing, on the cache=dax bundle: the cache variables where DAX allows other values
# than ElastiCache (an ElastiCache node type is not a DAX one; DAX has up to 10 nodes).

run "dax_bad_values" {
  command = plan

  variables {
    cache_node_type   = "cache.t4g.small"
    cache_node_count  = 11
    cache_ttl_seconds = 301
  }
}
