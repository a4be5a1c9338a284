"""The items API: request parsing, DynamoDB storage, item events, and the routes that join them."""
