"""What AWS requires to be unique, per resource type the stack creates: the attributes by which two
stacks deployed into one account (another `environment` or `environment_suffix`) would collide, and
the account-wide settings of which an account or region holds exactly one.

Sources: each service's API reference for the named operation (the error it returns for a name in
use) and, for metrics, the CloudWatch User Guide, "Metrics concepts": a metric is identified by its
namespace, name and dimensions, so two publishers of the same identity are one metric.
"""

from __future__ import annotations

# Type -> the attributes that must differ between two stacks in one account (and region, for the
# regional services). An API's name is not unique in API Gateway, but it is the `ApiName` dimension
# of the API's metrics, so two APIs of one name would share every alarm's metric.
UNIQUE_NAMES: dict[str, tuple[str, ...]] = {
    "aws_api_gateway_domain_name": ("domain_name",),  # CreateDomainName: ConflictException
    "aws_api_gateway_rest_api": ("name",),  # the ApiName dimension (API Gateway metrics)
    "aws_athena_database": ("name",),  # Glue CreateDatabase: AlreadyExistsException
    "aws_athena_workgroup": ("name",),  # CreateWorkGroup: InvalidRequestException
    "aws_cloudtrail": ("name",),  # CreateTrail: TrailAlreadyExistsException
    "aws_cloudwatch_dashboard": ("dashboard_name",),  # PutDashboard overwrites silently
    "aws_cloudwatch_event_bus": ("name",),  # CreateEventBus: ResourceAlreadyExistsException
    "aws_cloudwatch_event_rule": ("name",),  # PutRule on the default bus overwrites silently
    "aws_cloudwatch_log_group": ("name",),  # CreateLogGroup: ResourceAlreadyExistsException
    "aws_cloudwatch_log_resource_policy": ("policy_name",),  # PutResourcePolicy overwrites silently
    "aws_cloudwatch_metric_alarm": ("alarm_name",),  # PutMetricAlarm overwrites silently
    "aws_config_config_rule": ("name",),  # PutConfigRule overwrites silently
    "aws_dynamodb_table": ("name",),  # CreateTable: ResourceInUseException
    "aws_elasticache_replication_group": ("replication_group_id",),  # ReplicationGroupAlreadyExists
    "aws_elasticache_subnet_group": ("name",),  # CacheSubnetGroupAlreadyExists
    "aws_elasticache_user": ("user_id",),  # UserAlreadyExists
    "aws_elasticache_user_group": ("user_group_id",),  # UserGroupAlreadyExists
    "aws_dax_cluster": ("cluster_name",),  # ClusterAlreadyExistsFault
    "aws_dax_subnet_group": ("name",),  # SubnetGroupAlreadyExistsFault
    "aws_dax_parameter_group": ("name",),  # ParameterGroupAlreadyExistsFault
    "aws_iam_policy": ("name",),  # CreatePolicy: EntityAlreadyExists (account-wide)
    "aws_iam_role": ("name",),  # CreateRole: EntityAlreadyExists (account-wide)
    "aws_kinesis_firehose_delivery_stream": ("name",),  # CreateDeliveryStream: ResourceInUseException
    "aws_kinesis_stream": ("name",),  # CreateStream: ResourceInUseException
    "aws_kms_alias": ("name",),  # CreateAlias: AlreadyExistsException
    "aws_lambda_function": ("function_name",),  # CreateFunction: ResourceConflictException
    "aws_s3_bucket": ("bucket",),  # CreateBucket: BucketAlreadyExists (global)
    "aws_secretsmanager_secret": ("name",),  # CreateSecret: ResourceExistsException
    "aws_sns_topic": ("name",),  # CreateTopic: the existing topic of that name, or InvalidParameter
    "aws_synthetics_canary": ("name",),  # CreateCanary: ConflictException
    "aws_wafv2_web_acl": ("name",),  # CreateWebACL: WAFDuplicateItemException
}

# Settings of which an account (or an account's region) holds one. Two stacks that both manage one
# overwrite each other, and destroying either removes it for both; each is managed by at most one
# stack per account, as the named variable or option says.
ACCOUNT_SINGLETONS: dict[str, str] = {
    "aws_api_gateway_account": "one per region (UpdateAccount); variable manage_api_gateway_account",
    "aws_config_configuration_recorder": "one per region (PutConfigurationRecorder); option account_controls",
    "aws_config_configuration_recorder_status": "the recorder's; option account_controls",
    "aws_config_delivery_channel": "one per region (PutDeliveryChannel); option account_controls",
    "aws_iam_account_password_policy": "one per account (UpdateAccountPasswordPolicy); option account_controls",
}
