"""AWS's default quotas per account and Region that the stack's sizing meets: adjustable through
Service Quotas, so the stack's variables accept values above them (only documented hard limits and
formats are refused there), and `scripts/capacity` (`tools/capacity.py`) names the ones a workload
needs raised. The largest item DynamoDB stores (400 KB) and the connections an ElastiCache node
accepts (65,000) are hard limits, kept here with their sources."""

from __future__ import annotations

# Source: each service's quotas page in the AWS documentation:
# Lambda: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
#   ("Concurrent executions" 1,000; 100 always stay unreserved for functions without a reservation).
LAMBDA_CONCURRENT_EXECUTIONS = 1_000
LAMBDA_UNRESERVED_MINIMUM = 100
# API Gateway: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
#   (account-level "Throttle rate" 10,000 requests per second, "Throttle burst rate" 5,000).
API_GATEWAY_THROTTLE_RATE = 10_000
API_GATEWAY_THROTTLE_BURST = 5_000
# DynamoDB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
#   (table-level 40,000 read and 40,000 write units in both capacity modes; account-level 80,000
#   RCU and 80,000 WCU provisioned; items at most 400 KB; 1 KB = 1,024 bytes).
DYNAMODB_TABLE_READ_UNITS = 40_000
DYNAMODB_TABLE_WRITE_UNITS = 40_000
DYNAMODB_ACCOUNT_READ_UNITS = 80_000
DYNAMODB_ACCOUNT_WRITE_UNITS = 80_000
DYNAMODB_MAX_ITEM_BYTES = 400 * 1024
# Kinesis Data Streams: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
#   (shards per account: 20,000 in us-east-1, us-west-2 and eu-west-1, 1,000 or 6,000 elsewhere;
#   the smallest is used because the stack's other Regions, e.g. eu-central-1, may have it).
KINESIS_SHARDS_PER_ACCOUNT = 1_000
# ElastiCache: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html
#   (`maxclients`: 65,000 clients connected to a node at one time; not modifiable).
ELASTICACHE_MAX_CLIENTS = 65_000
