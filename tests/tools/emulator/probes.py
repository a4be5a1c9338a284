"""One probe per moto patch: boto3 calls against an emulator endpoint that pass only when the
emulator behaves as AWS does. `tests/tools/emulator/test_emulator.py` runs them against the patched
server (all must pass) and, in a subprocess, against an unpatched one (each must fail, so every
patch is still needed: a moto upgrade that fixes an API shows up here).

`python -m tests.tools.emulator.probes` starts an unpatched server and prints `{name: error or null}`.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.exceptions import ClientError

LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:probe/invocations"
)


def clients(endpoint: str) -> Callable[..., object]:
    def make(service: str, region: str = "us-east-1"):
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


def _api_with_get(apigateway, name: str) -> tuple[str, str]:
    api = apigateway.create_rest_api(name=name)["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    return api, root


def application_autoscaling_tags(client, tag: str) -> None:
    autoscaling = client("application-autoscaling")
    table = f"probe-tags-{tag}"
    client("dynamodb").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    arn = autoscaling.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId=f"table/{table}",
        ScalableDimension="dynamodb:table:ReadCapacityUnits",
        MinCapacity=1,
        MaxCapacity=5,
        Tags={"Project": "tap"},
    )["ScalableTargetARN"]
    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Project": "tap"}
    autoscaling.tag_resource(ResourceARN=arn, Tags={"Owner": "platform"})
    autoscaling.untag_resource(ResourceARN=arn, TagKeys=["Project"])
    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Owner": "platform"}
    try:
        autoscaling.list_tags_for_resource(ResourceARN=f"{arn}x")
    except autoscaling.exceptions.ResourceNotFoundException:
        return
    raise AssertionError("an unknown ARN must be ResourceNotFoundException")


def rest_api_policy_escaped(client, tag: str) -> None:
    apigateway = client("apigateway")
    api = apigateway.create_rest_api(name=f"probe-policy-{tag}")["id"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Condition": {"IpAddress": "10.0.0.0/8"}}]}
    apigateway.update_rest_api(
        restApiId=api, patchOperations=[{"op": "replace", "path": "/policy", "value": json.dumps(policy)}]
    )
    returned = apigateway.get_rest_api(restApiId=api)["policy"]
    assert returned.startswith('{\\"Version\\"') and "10.0.0.0\\/8" in returned, returned
    assert json.loads(json.loads(f'"{returned}"')) == policy


def stage_cache_status_not_available(client, tag: str) -> None:
    apigateway = client("apigateway")
    api, root = _api_with_get(apigateway, f"probe-stage-{tag}")
    apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigateway.create_deployment(restApiId=api)["id"]
    stage = apigateway.create_stage(restApiId=api, stageName="dev", deploymentId=deployment, cacheClusterSize="0.5")
    assert stage.get("cacheClusterStatus") == "NOT_AVAILABLE", stage.get("cacheClusterStatus")
    assert apigateway.get_stage(restApiId=api, stageName="dev")["cacheClusterStatus"] == "NOT_AVAILABLE"


def integration_cache_key_parameters(client, tag: str) -> None:
    apigateway = client("apigateway")
    api, root = _api_with_get(apigateway, f"probe-integration-{tag}")
    keys = ["method.request.header.X-Tenant-Id"]
    put = apigateway.put_integration(
        restApiId=api,
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=LAMBDA_URI,
        cacheKeyParameters=keys,
    )
    got = apigateway.get_integration(restApiId=api, resourceId=root, httpMethod="GET")
    assert put["cacheKeyParameters"] == got["cacheKeyParameters"] == keys, got["cacheKeyParameters"]
    apigateway.update_integration(
        restApiId=api,
        resourceId=root,
        httpMethod="GET",
        patchOperations=[{"op": "remove", "path": f"/cacheKeyParameters/{keys[0]}"}],
    )
    got = apigateway.get_integration(restApiId=api, resourceId=root, httpMethod="GET")
    assert got.get("cacheKeyParameters", []) == [], got.get("cacheKeyParameters")


def account_role_reset_without_value(client, tag: str) -> None:
    apigateway = client("apigateway")
    role = f"arn:aws:iam::123456789012:role/probe-{tag}"
    apigateway.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    apigateway.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn"}])
    assert "cloudwatchRoleArn" not in apigateway.get_account()


def event_bus_update(client, tag: str) -> None:
    events = client("events")
    name = f"probe-bus-{tag}"
    key = client("kms").create_key(Description="probe")["KeyMetadata"]["Arn"]
    events.create_event_bus(Name=name)
    updated = events.update_event_bus(Name=name, KmsKeyIdentifier=key, Description="probe")
    assert updated["KmsKeyIdentifier"] == key and updated["Name"] == name, updated
    described = events.describe_event_bus(Name=name)
    assert described["KmsKeyIdentifier"] == key and described["Description"] == "probe", described
    events.update_event_bus(Name=name)
    assert "KmsKeyIdentifier" not in events.describe_event_bus(Name=name)  # back to an AWS owned key
    try:
        events.update_event_bus(Name=f"{name}-missing", KmsKeyIdentifier=key)
    except events.exceptions.ResourceNotFoundException:
        return
    raise AssertionError("an unknown bus must be ResourceNotFoundException")


def secret_rotation_started_without_value(client, tag: str) -> None:
    role = client("iam").create_role(RoleName=f"probe-rotation-{tag}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    return None\n")
    function = client("lambda").create_function(
        FunctionName=f"probe-rotation-{tag}",
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
    )["FunctionArn"]
    secrets = client("secretsmanager")
    secret = secrets.create_secret(Name=f"probe-rotation-{tag}")["ARN"]
    token = "a" * 32 + tag[:4].ljust(4, "0")
    secrets.rotate_secret(
        SecretId=secret,
        ClientRequestToken=token,
        RotationLambdaARN=function,
        RotationRules={"AutomaticallyAfterDays": 30},
    )
    described = secrets.describe_secret(SecretId=secret)
    assert described["RotationEnabled"] and described["RotationLambdaARN"] == function, described
    assert described["VersionIdsToStages"] == {token: ["AWSPENDING"]}, described


def lambda_policy_updates_are_atomic(client, tag: str) -> None:
    lambda_client = client("lambda")
    role = client("iam").create_role(RoleName=f"probe-policy-{tag}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    return None\n")
    name = lambda_client.create_function(
        FunctionName=f"probe-policy-{tag}",
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
    )["FunctionName"]
    sids = [f"Allow{n}" for n in range(24)]
    for sid in sids:
        lambda_client.add_permission(
            FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com"
        )
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda sid: lambda_client.remove_permission(FunctionName=name, StatementId=sid), sids))
    try:
        left = json.loads(lambda_client.get_policy(FunctionName=name)["Policy"])["Statement"]
    except lambda_client.exceptions.ResourceNotFoundException:
        left = []
    assert left == [], f"{len(left)} statements survived their removal"


def dynamodb_replica_updates(client, tag: str) -> None:
    primary, replica = client("dynamodb"), client("dynamodb", "us-west-2")
    key = client("kms", "us-west-2").create_key(Description="probe")["KeyMetadata"]["Arn"]
    table = f"probe-replicas-{tag}"
    primary.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    primary.update_table(
        TableName=table, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2", "KMSMasterKeyId": key}}]
    )
    described = primary.describe_table(TableName=table)["Table"]
    assert described.get("Replicas") == [
        {"RegionName": "us-west-2", "ReplicaStatus": "ACTIVE", "KMSMasterKeyId": key}
    ], described.get("Replicas")
    assert replica.describe_table(TableName=table)["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key
    replica.update_table(TableName=table, DeletionProtectionEnabled=True)
    try:
        primary.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])
        raise AssertionError("a replica with deletion protection must not be deleted")
    except primary.exceptions.ClientError as error:
        assert "protect" in str(error).lower(), error
    replica.update_table(TableName=table, DeletionProtectionEnabled=False)
    primary.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])
    assert "Replicas" not in primary.describe_table(TableName=table)["Table"]
    assert table not in replica.list_tables()["TableNames"]
    try:  # what the provider's table delete sends for each replica it last read
        primary.update_table(TableName=table, ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])
        raise AssertionError("deleting a replica that does not exist must be a ValidationException")
    except primary.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "ValidationException", error
        assert "Replica specified in the Replica Update or Replica Delete action" in str(error), error


def bucket_replication_round_trip(client, tag: str) -> None:
    source, destination = client("s3"), client("s3", "us-west-2")
    key = client("kms", "us-west-2").create_key(Description="probe")["KeyMetadata"]["Arn"]
    source.create_bucket(Bucket=f"probe-source-{tag}")
    destination.create_bucket(
        Bucket=f"probe-replica-{tag}", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    for s3, bucket in ((source, f"probe-source-{tag}"), (destination, f"probe-replica-{tag}")):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    rule = {
        "ID": "to-us-west-2",
        "Priority": 1,
        "Status": "Enabled",
        "Filter": {},
        "DeleteMarkerReplication": {"Status": "Enabled"},
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        "Destination": {
            "Bucket": f"arn:aws:s3:::probe-replica-{tag}",
            "StorageClass": "STANDARD",
            "EncryptionConfiguration": {"ReplicaKmsKeyID": key},
        },
    }
    role = "arn:aws:iam::123456789012:role/probe-replication"
    source.put_bucket_replication(
        Bucket=f"probe-source-{tag}", ReplicationConfiguration={"Role": role, "Rules": [rule]}
    )
    got = source.get_bucket_replication(Bucket=f"probe-source-{tag}")["ReplicationConfiguration"]
    assert got == {"Role": role, "Rules": [rule]}, got


def synthetics_canary_lifecycle(client, tag: str) -> None:
    synthetics = client("synthetics")
    raw: dict[str, bytes] = {}
    synthetics.meta.events.register(
        "after-call.synthetics.GetCanary", lambda http_response, **_: raw.update(body=http_response.content)
    )
    name = f"probe-{tag}"[:21]
    arn = f"arn:aws:synthetics:us-east-1:123456789012:canary:{name}"
    synthetics.create_canary(
        Name=name,
        Code={"Handler": "canary.handler", "ZipFile": b"PK"},
        ArtifactS3Location="s3://probe/canary",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/probe-canary",
        Schedule={"Expression": "rate(5 minutes)"},
        RuntimeVersion="syn-python-selenium-6.0",
        Tags={"Project": "tap"},
    )
    assert synthetics.get_canary(Name=name)["Canary"]["Status"]["State"] == "READY"
    timeline = json.loads(raw["body"])["Canary"]["Timeline"]
    assert isinstance(timeline["Created"], (int, float)), f"restJson1 timestamps are epoch seconds: {timeline}"
    synthetics.start_canary(Name=name)
    assert synthetics.get_canary(Name=name)["Canary"]["Status"]["State"] == "RUNNING"
    try:
        synthetics.delete_canary(Name=name)
        raise AssertionError("a RUNNING canary must not be deleted")
    except synthetics.exceptions.ConflictException:
        pass
    synthetics.stop_canary(Name=name)
    synthetics.update_canary(Name=name, Schedule={"Expression": "rate(10 minutes)"})
    canary = synthetics.get_canary(Name=name)["Canary"]
    assert canary["Status"]["State"] == "STOPPED" and canary["Schedule"]["Expression"] == "rate(10 minutes)", canary
    synthetics.tag_resource(ResourceArn=arn, Tags={"Owner": "platform"})
    synthetics.untag_resource(ResourceArn=arn, TagKeys=["Project"])
    assert synthetics.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"Owner": "platform"}
    synthetics.delete_canary(Name=name)
    try:
        synthetics.get_canary(Name=name)
    except synthetics.exceptions.ResourceNotFoundException:
        return
    raise AssertionError("a deleted canary must be ResourceNotFoundException")


def route53_zone_ids_start_with_z(client, tag: str) -> None:
    route53 = client("route53")
    for number in range(3):  # an unpatched moto draws a leading Z in 1 of 36 zones
        zone = route53.create_hosted_zone(Name=f"probe{number}.{tag}.example.com", CallerReference=f"{tag}{number}")
        zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
        assert re.fullmatch(r"Z[A-Z0-9]{1,31}", zone_id), zone_id


def route53_alarm_health_checks(client, tag: str) -> None:
    route53 = client("route53")
    alarm = {"Name": f"probe-{tag}", "Region": "us-east-1"}
    created = route53.create_health_check(
        CallerReference=f"alarm-{tag}",
        HealthCheckConfig={
            "Type": "CLOUDWATCH_METRIC",
            "AlarmIdentifier": alarm,
            "InsufficientDataHealthStatus": "LastKnownStatus",
        },
    )["HealthCheck"]
    config = route53.get_health_check(HealthCheckId=created["Id"])["HealthCheck"]["HealthCheckConfig"]
    assert config.get("AlarmIdentifier") == alarm, config
    assert config.get("InsufficientDataHealthStatus") == "LastKnownStatus", config
    assert not {"Port", "RequestInterval", "FailureThreshold", "IPAddress"} & set(config), config
    route53.update_health_check(
        HealthCheckId=created["Id"],
        AlarmIdentifier={**alarm, "Name": f"probe-{tag}-2"},
        InsufficientDataHealthStatus="Healthy",
    )
    config = route53.get_health_check(HealthCheckId=created["Id"])["HealthCheck"]["HealthCheckConfig"]
    assert (config["AlarmIdentifier"]["Name"], config["InsufficientDataHealthStatus"]) == (f"probe-{tag}-2", "Healthy")
    route53.delete_health_check(HealthCheckId=created["Id"])


def athena_database_comment(client, tag: str) -> None:
    athena = client("athena")
    name = f"probe_{tag}"
    query = (
        f"create database `{name}` comment 'Archived logs: it\\'s s3://logs/' with dbproperties ( 'owner' = 'tap' );"
    )
    athena.start_query_execution(QueryString=query, ResultConfiguration={"OutputLocation": "s3://probe/results/"})
    database = athena.get_database(CatalogName="AwsDataCatalog", DatabaseName=name)["Database"]
    assert database.get("Description") == "Archived logs: it's s3://logs/", database
    assert database.get("Parameters") == {"owner": "tap"}, database


def athena_databases_in_glue(client, tag: str) -> None:
    athena, glue = client("athena"), client("glue")
    name = f"probe_glue_{tag}"
    results = {"OutputLocation": "s3://probe/results/"}
    athena.start_query_execution(QueryString=f"CREATE DATABASE `{name}`", ResultConfiguration=results)
    assert glue.get_database(Name=name)["Database"]["Name"] == name
    athena.start_query_execution(QueryString=f"DROP DATABASE `{name}`", ResultConfiguration=results)
    assert _error_code(lambda: glue.get_database(Name=name)) == "EntityNotFoundException"


def athena_named_queries_deleted(client, tag: str) -> None:
    athena = client("athena")
    query = athena.create_named_query(Name=f"probe-{tag}", Database="default", QueryString="SELECT 1")["NamedQueryId"]
    athena.delete_named_query(NamedQueryId=query)
    assert _error_code(lambda: athena.get_named_query(NamedQueryId=query)) == "InvalidRequestException"


def config_rule_tag_scope(client, tag: str) -> None:
    config = client("config")
    scope = {"TagKey": "ManagedBy", "TagValue": "terraform"}
    rule = {
        "ConfigRuleName": f"probe-scope-{tag}",
        "Source": {"Owner": "AWS", "SourceIdentifier": "LAMBDA_INSIDE_VPC"},
        "Scope": scope,
    }
    config.put_config_rule(ConfigRule=rule)
    (described,) = config.describe_config_rules(ConfigRuleNames=[rule["ConfigRuleName"]])["ConfigRules"]
    config.delete_config_rule(ConfigRuleName=rule["ConfigRuleName"])
    assert described.get("Scope") == scope, described.get("Scope")


def config_remediation_configurations(client, tag: str) -> None:
    config = client("config")
    rule = f"probe-remediation-{tag}"
    config.put_config_rule(
        ConfigRule={"ConfigRuleName": rule, "Source": {"Owner": "AWS", "SourceIdentifier": "DYNAMODB_PITR_ENABLED"}}
    )
    remediation = {
        "ConfigRuleName": rule,
        "TargetType": "SSM_DOCUMENT",
        "TargetId": "AWSConfigRemediation-EnablePITRForDynamoDbTable",
        "Parameters": {
            "AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::123456789012:role/probe"]}},
            "TableName": {"ResourceValue": {"Value": "RESOURCE_ID"}},
        },
        "Automatic": True,
        "MaximumAutomaticAttempts": 3,
        "RetryAttemptSeconds": 900,
        "ExecutionControls": {"SsmControls": {"ConcurrentExecutionRatePercentage": 10, "ErrorPercentage": 50}},
    }
    assert config.put_remediation_configurations(RemediationConfigurations=[remediation])["FailedBatches"] == []
    (described,) = config.describe_remediation_configurations(ConfigRuleNames=[rule])["RemediationConfigurations"]
    assert {k: described[k] for k in remediation} == remediation, described
    unbounded = {**remediation, "MaximumAutomaticAttempts": 26}
    try:
        config.put_remediation_configurations(RemediationConfigurations=[unbounded])
        raise AssertionError("26 automatic attempts were accepted")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidParameterValueException", error
    config.delete_remediation_configuration(ConfigRuleName=rule)
    config.delete_config_rule(ConfigRuleName=rule)
    assert config.describe_remediation_configurations(ConfigRuleNames=[rule])["RemediationConfigurations"] == []


def wafv2_association_and_logging_targets(client, tag: str) -> None:

    waf, apigateway = client("wafv2"), client("apigateway")
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "probe"}
    acl = waf.create_web_acl(
        Name=f"probe-{tag}", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=visibility
    )["Summary"]["ARN"]
    api = apigateway.create_rest_api(name=f"probe-waf-{tag}")["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigateway.create_deployment(restApiId=api)["id"]
    apigateway.create_stage(restApiId=api, stageName="dev", deploymentId=deployment)
    refused = {
        "execute-api ARN": lambda: waf.associate_web_acl(
            WebACLArn=acl, ResourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/dev"
        ),
        "missing stage": lambda: waf.associate_web_acl(
            WebACLArn=acl, ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/nope"
        ),
        "destination without aws-waf-logs-": lambda: waf.put_logging_configuration(
            LoggingConfiguration={
                "ResourceArn": acl,
                "LogDestinationConfigs": ["arn:aws:logs:us-east-1:123456789012:log-group:probe"],
            }
        ),
    }
    for what, call in refused.items():
        try:
            call()
        except ClientError:
            continue
        raise AssertionError(f"WAFv2 accepted {what}")
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/dev")
    waf.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": acl,
            "LogDestinationConfigs": [f"arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-probe-{tag}"],
        }
    )


def security_group_rule_descriptions(aws, tag: str) -> None:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group, other = (
        ec2.create_security_group(GroupName=f"probe-{name}-{tag}", Description=name, VpcId=vpc)["GroupId"]
        for name in ("functions", "endpoints")
    )
    to_group = {"UserIdGroupPairs": [{"GroupId": other, "Description": "to the endpoints"}]}
    to_list = {"PrefixListIds": [{"PrefixListId": "pl-63a5400a", "Description": "to s3"}]}
    for target in (to_group, to_list):
        ec2.authorize_security_group_egress(
            GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, **target}]
        )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    described = {rule.get("Description") for rule in rules if rule.get("FromPort") == 443}
    assert described == {"to the endpoints", "to s3"}, described


def _function_with_alias(client, name: str) -> str:
    """A function with a published version behind the alias `live`; returns the version."""
    lambda_client = client("lambda")
    role = client("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    return None\n")
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
    )
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    return version


def lambda_provisioned_concurrency(client, tag: str) -> None:
    lambda_client = client("lambda")
    name = f"probe-provisioned-{tag}"
    version = _function_with_alias(client, name)
    put = lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202, put["ResponseMetadata"]
    got = lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert got["Status"] == "READY" and got["AllocatedProvisionedConcurrentExecutions"] == 2, got
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    assert [config["FunctionArn"].rsplit(":", 1)[-1] for config in listed] == ["live"], listed
    refused = {
        "an unknown alias": ("nope", "ResourceNotFoundException"),
        "$LATEST": ("$LATEST", "InvalidParameterValueException"),
    }
    for what, (qualifier, code) in refused.items():
        try:
            lambda_client.put_provisioned_concurrency_config(
                FunctionName=name, Qualifier=qualifier, ProvisionedConcurrentExecutions=1
            )
            raise AssertionError(f"Lambda accepted provisioned concurrency on {what}")
        except ClientError as error:
            assert error.response["Error"]["Code"] == code, error
    deleted = lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204, deleted["ResponseMetadata"]
    for qualifier in ("live", version):
        try:
            lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
            raise AssertionError(f"{qualifier} has no provisioned concurrency config")
        except lambda_client.exceptions.ProvisionedConcurrencyConfigNotFoundException:
            pass


def dynamodb_kinesis_streaming_destination(client, tag: str) -> None:
    dynamodb, kinesis = client("dynamodb"), client("kinesis")
    table = f"probe-streaming-{tag}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    kinesis.create_stream(StreamName=table, ShardCount=1)
    stream = kinesis.describe_stream_summary(StreamName=table)["StreamDescriptionSummary"]["StreamARN"]
    enabled = dynamodb.enable_kinesis_streaming_destination(
        TableName=table,
        StreamArn=stream,
        EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MILLISECOND"},
    )
    assert enabled["DestinationStatus"] == "ACTIVE", enabled
    described = dynamodb.describe_kinesis_streaming_destination(TableName=table)["KinesisDataStreamDestinations"]
    assert described == [
        {"StreamArn": stream, "DestinationStatus": "ACTIVE", "ApproximateCreationDateTimePrecision": "MILLISECOND"}
    ], described
    dynamodb.disable_kinesis_streaming_destination(TableName=table, StreamArn=stream)
    described = dynamodb.describe_kinesis_streaming_destination(TableName=table)["KinesisDataStreamDestinations"]
    assert [d["DestinationStatus"] for d in described] == ["DISABLED"], described
    refused = {
        "an unknown table": (f"{table}-missing", stream, "ResourceNotFoundException"),
        "a stream ARN of another service": (
            table,
            "arn:aws:sqs:us-east-1:123456789012:probe-queue",
            "ValidationException",
        ),
    }
    for what, (name, arn, code) in refused.items():
        try:
            dynamodb.enable_kinesis_streaming_destination(TableName=name, StreamArn=arn)
            raise AssertionError(f"DynamoDB streamed {what}")
        except ClientError as error:
            assert error.response["Error"]["Code"] == code, error


def kinesis_stream_tags_on_create(client, tag: str) -> None:
    kinesis = client("kinesis")
    name = f"probe-tags-{tag}"
    kinesis.create_stream(
        StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"}, Tags={"Project": "tap", "Owner": "platform"}
    )
    tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]}
    assert tags == {"Project": "tap", "Owner": "platform"}, tags


def _elasticache_subnet_group(client, name: str) -> str:
    vpc, subnets = _two_zone_subnets(client, 1)
    client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName=name, CacheSubnetGroupDescription="probe", SubnetIds=subnets
    )
    return vpc


def _error_code(call) -> str:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    raise AssertionError("the emulator accepted the call")


def elasticache_user_groups(client, tag: str) -> None:
    elasticache = client("elasticache")
    default, app, group_id = f"probe-{tag}-default", f"probe-{tag}-app", f"probe-{tag}-users"
    elasticache.create_user(
        UserId=default,
        UserName="default",
        Engine="valkey",
        AccessString="off -@all",
        AuthenticationMode={"Type": "no-password-required"},
    )
    elasticache.create_user(
        UserId=app, UserName=app, Engine="valkey", AccessString="on ~* +get", AuthenticationMode={"Type": "iam"}
    )
    created = elasticache.create_user_group(
        UserGroupId=group_id, Engine="valkey", UserIds=[default, app], Tags=[{"Key": "Project", "Value": "tap"}]
    )
    assert created["Status"] == "creating" and sorted(created["UserIds"]) == [app, default], created
    group = elasticache.describe_user_groups(UserGroupId=group_id)["UserGroups"][0]
    assert group["Status"] == "active" and group["ARN"].endswith(f":usergroup:{group_id}"), group
    assert elasticache.describe_users(UserId=app)["Users"][0]["UserGroupIds"] == [group_id]
    assert elasticache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"] == [
        {"Key": "Project", "Value": "tap"}
    ]
    elasticache.modify_user_group(UserGroupId=group_id, UserIdsToRemove=[app])
    assert elasticache.describe_user_groups(UserGroupId=group_id)["UserGroups"][0]["UserIds"] == [default]
    refused = {
        "a group without a default user": (
            lambda: elasticache.create_user_group(UserGroupId=f"{group_id}-2", Engine="valkey", UserIds=[app]),
            "DefaultUserRequired",
        ),
        "an unknown user": (
            lambda: elasticache.modify_user_group(UserGroupId=group_id, UserIdsToAdd=[f"{app}-missing"]),
            "UserNotFound",
        ),
        "removing the default user": (
            lambda: elasticache.modify_user_group(UserGroupId=group_id, UserIdsToRemove=[default]),
            "DefaultUserRequired",
        ),
    }
    for what, (call, code) in refused.items():
        assert _error_code(call) == code, what
    assert elasticache.delete_user_group(UserGroupId=group_id)["Status"] == "deleting"
    missing = _error_code(lambda: elasticache.describe_user_groups(UserGroupId=group_id))
    assert missing == "UserGroupNotFound", missing


def elasticache_user_no_password_type(client, tag: str) -> None:
    elasticache = client("elasticache")
    user = elasticache.create_user(
        UserId=f"probe-{tag}-nopass",
        UserName="default",
        Engine="valkey",
        AccessString="off -@all",
        AuthenticationMode={"Type": "no-password-required"},
    )
    assert user["Authentication"]["Type"] == "no-password", user["Authentication"]
    described = elasticache.describe_users(UserId=f"probe-{tag}-nopass")["Users"][0]
    assert described["Authentication"]["Type"] == "no-password", described["Authentication"]


def elasticache_replication_group_members(client, tag: str) -> None:
    elasticache = client("elasticache")
    subnets, group_id = f"probe-{tag}-rg-subnets", f"probe-{tag}-rg"
    vpc = _elasticache_subnet_group(client, subnets)
    security_group = client("ec2").create_security_group(GroupName=group_id, Description="probe", VpcId=vpc)["GroupId"]
    group = elasticache.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="probe",
        Engine="valkey",
        EngineVersion="8.0",
        CacheNodeType="cache.t4g.small",
        NumCacheClusters=2,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        CacheSubnetGroupName=subnets,
        SecurityGroupIds=[security_group],
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
    )["ReplicationGroup"]
    members = [f"{group_id}-001", f"{group_id}-002"]
    assert group["MemberClusters"] == members, group["MemberClusters"]
    assert [m["CacheClusterId"] for m in group["NodeGroups"][0]["NodeGroupMembers"]] == members
    for cluster_id in members:
        cluster = elasticache.describe_cache_clusters(CacheClusterId=cluster_id)["CacheClusters"][0]
        assert cluster["ReplicationGroupId"] == group_id and cluster["Engine"] == "valkey", cluster
        assert cluster["CacheSubnetGroupName"] == subnets and cluster["CacheNodeType"] == "cache.t4g.small", cluster
        assert cluster["SecurityGroups"] == [{"SecurityGroupId": security_group, "Status": "active"}], cluster
        assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.valkey8", cluster
        assert cluster["AtRestEncryptionEnabled"] and cluster["TransitEncryptionEnabled"], cluster
    deleted = elasticache.delete_replication_group(ReplicationGroupId=group_id)["ReplicationGroup"]
    assert deleted["Status"] == "deleting", deleted["Status"]
    gone = _error_code(lambda: elasticache.describe_replication_groups(ReplicationGroupId=group_id))
    assert gone == "ReplicationGroupNotFoundFault", gone
    gone = _error_code(lambda: elasticache.describe_cache_clusters(CacheClusterId=members[0]))
    assert gone == "CacheClusterNotFound", gone


def elasticache_subnet_group_delete(client, tag: str) -> None:
    elasticache = client("elasticache")
    used, unused = f"probe-{tag}-used-subnets", f"probe-{tag}-unused-subnets"
    _elasticache_subnet_group(client, used)
    _elasticache_subnet_group(client, unused)
    elasticache.create_cache_cluster(
        CacheClusterId=f"probe-{tag}-cluster",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        CacheSubnetGroupName=used,
    )
    in_use = _error_code(lambda: elasticache.delete_cache_subnet_group(CacheSubnetGroupName=used))
    assert in_use == "CacheSubnetGroupInUse", in_use
    elasticache.delete_cache_subnet_group(CacheSubnetGroupName=unused)
    gone = _error_code(lambda: elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=unused))
    assert gone == "CacheSubnetGroupNotFoundFault", gone


def _two_zone_subnets(client, network: int) -> tuple[str, list[str]]:
    """A VPC 10.<network>.0.0/16 with a subnet in each of two zones: the VPC and the subnets' IDs."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"10.{network}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{network}.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    return vpc, subnets


def _dax_cluster(dax, name: str, **settings) -> dict:
    return dax.create_cluster(
        ClusterName=name,
        NodeType="dax.t3.small",
        ReplicationFactor=2,
        IamRoleArn="arn:aws:iam::123456789012:role/probe-dax",
        **settings,
    )["Cluster"]


def _dax_described(dax, name: str, status: str | None) -> dict | None:
    """Describe a cluster until it reports `status` (None: until DAX no longer knows it); moto
    moves a cluster to its next status after four DescribeClusters calls."""
    for _ in range(8):
        try:
            cluster = dax.describe_clusters(ClusterNames=[name])["Clusters"][0]
        except ClientError as error:
            if status is None and error.response["Error"]["Code"] == "ClusterNotFoundFault":
                return None
            raise
        if cluster["Status"] == status:
            return cluster
    raise AssertionError(f"DAX cluster {name} never becomes {status or 'deleted'}")


def _dax_delete_cluster(dax, name: str) -> None:
    dax.delete_cluster(ClusterName=name)
    _dax_described(dax, name, None)


def dax_subnet_groups(client, tag: str) -> None:
    dax, group = client("dax"), f"probe-{tag}-subnets"
    vpc, subnets = _two_zone_subnets(client, 2)
    expected = {
        "SubnetGroupName": group,
        "Description": "probe",
        "VpcId": vpc,
        "Subnets": [
            {"SubnetIdentifier": subnet, "SubnetAvailabilityZone": f"us-east-1{zone}"}
            for subnet, zone in zip(subnets, "ab", strict=True)
        ],
    }
    assert (
        dax.create_subnet_group(SubnetGroupName=group, Description="probe", SubnetIds=subnets)["SubnetGroup"]
        == expected
    )
    assert dax.describe_subnet_groups(SubnetGroupNames=[group])["SubnetGroups"] == [expected]
    invalid = _error_code(lambda: dax.create_subnet_group(SubnetGroupName=f"{group}-x", SubnetIds=["subnet-0"]))
    assert invalid == "InvalidSubnet", invalid
    cluster = f"p{tag[:3]}-subnets"
    _dax_cluster(dax, cluster, SubnetGroupName=group)
    in_use = _error_code(lambda: dax.delete_subnet_group(SubnetGroupName=group))
    assert in_use == "SubnetGroupInUseFault", in_use
    _dax_delete_cluster(dax, cluster)
    dax.delete_subnet_group(SubnetGroupName=group)
    gone = _error_code(lambda: dax.describe_subnet_groups(SubnetGroupNames=[group]))
    assert gone == "SubnetGroupNotFoundFault", gone


def dax_parameter_groups(client, tag: str) -> None:
    dax, group = client("dax"), f"probe-{tag}-parameters"
    created = dax.create_parameter_group(ParameterGroupName=group, Description="probe")["ParameterGroup"]
    assert created == {"ParameterGroupName": group, "Description": "probe"}, created

    def values() -> dict[str, tuple[str, str]]:
        parameters = dax.describe_parameters(ParameterGroupName=group)["Parameters"]
        return {p["ParameterName"]: (p["ParameterValue"], p["Source"]) for p in parameters}

    assert values() == {"query-ttl-millis": ("300000", "system"), "record-ttl-millis": ("300000", "system")}
    dax.update_parameter_group(
        ParameterGroupName=group,
        ParameterNameValues=[{"ParameterName": "record-ttl-millis", "ParameterValue": "30000"}],
    )
    assert values() == {"query-ttl-millis": ("300000", "system"), "record-ttl-millis": ("30000", "user")}
    unknown = [{"ParameterName": "item-ttl", "ParameterValue": "1"}]
    refused = _error_code(lambda: dax.update_parameter_group(ParameterGroupName=group, ParameterNameValues=unknown))
    assert refused == "InvalidParameterValueException", refused
    assert dax.describe_parameter_groups(ParameterGroupNames=[group])["ParameterGroups"] == [created]
    cluster = f"p{tag[:3]}-parameters"
    _dax_cluster(dax, cluster, ParameterGroupName=group)
    in_use = _error_code(lambda: dax.delete_parameter_group(ParameterGroupName=group))
    assert in_use == "InvalidParameterGroupStateFault", in_use
    _dax_delete_cluster(dax, cluster)
    dax.delete_parameter_group(ParameterGroupName=group)
    gone = _error_code(lambda: dax.describe_parameters(ParameterGroupName=group))
    assert gone == "ParameterGroupNotFoundFault", gone


def dax_cluster_settings(client, tag: str) -> None:
    dax, name = client("dax"), f"p{tag[:3]}-settings"
    _dax_cluster(dax, name, SecurityGroupIds=["sg-0123456789abcdef0"], ClusterEndpointEncryptionType="TLS")
    cluster = _dax_described(dax, name, "available")
    assert cluster["SecurityGroups"] == [{"SecurityGroupIdentifier": "sg-0123456789abcdef0", "Status": "active"}]
    endpoint = cluster["ClusterDiscoveryEndpoint"]
    assert endpoint["Port"] == 9111 and endpoint["URL"] == f"daxs://{endpoint['Address']}", endpoint
    assert [n["Endpoint"]["Port"] for n in cluster["Nodes"]] == [9111, 9111], cluster["Nodes"]
    _dax_delete_cluster(dax, name)
    _, subnets = _two_zone_subnets(client, 2)
    dax.create_subnet_group(SubnetGroupName=name, SubnetIds=subnets)
    dax.create_parameter_group(ParameterGroupName=name)
    missing = _error_code(lambda: _dax_cluster(dax, f"{name}-x", SubnetGroupName=f"{name}-missing"))
    assert missing == "SubnetGroupNotFoundFault", missing
    _dax_cluster(dax, name, SubnetGroupName=name, ParameterGroupName=name)
    cluster = _dax_described(dax, name, "available")
    assert cluster["SubnetGroup"] == name, cluster["SubnetGroup"]
    assert cluster["ParameterGroup"]["ParameterGroupName"] == name, cluster["ParameterGroup"]
    assert sorted(n["AvailabilityZone"] for n in cluster["Nodes"]) == ["us-east-1a", "us-east-1b"], cluster["Nodes"]
    _dax_delete_cluster(dax, name)


PROBES: dict[str, Callable[[Callable[..., object], str], None]] = {
    probe.__name__: probe
    for probe in (
        application_autoscaling_tags,
        rest_api_policy_escaped,
        stage_cache_status_not_available,
        integration_cache_key_parameters,
        account_role_reset_without_value,
        event_bus_update,
        secret_rotation_started_without_value,
        lambda_policy_updates_are_atomic,
        dynamodb_replica_updates,
        bucket_replication_round_trip,
        synthetics_canary_lifecycle,
        route53_zone_ids_start_with_z,
        route53_alarm_health_checks,
        athena_database_comment,
        athena_databases_in_glue,
        athena_named_queries_deleted,
        config_rule_tag_scope,
        config_remediation_configurations,
        wafv2_association_and_logging_targets,
        security_group_rule_descriptions,
        lambda_provisioned_concurrency,
        dynamodb_kinesis_streaming_destination,
        kinesis_stream_tags_on_create,
        elasticache_user_groups,
        elasticache_user_no_password_type,
        elasticache_replication_group_members,
        elasticache_subnet_group_delete,
        dax_subnet_groups,
        dax_parameter_groups,
        dax_cluster_settings,
    )
}


def run_all(endpoint: str, tag: str) -> dict[str, str | None]:
    """{probe name: None if it passed, else the error}."""
    client = clients(endpoint)
    results: dict[str, str | None] = {}
    for name, probe in PROBES.items():
        try:
            probe(client, tag)
            results[name] = None
        except Exception as error:  # any failure counts: moto differs from AWS here
            results[name] = f"{type(error).__name__}: {error}"[:300]
    return results


def main() -> None:
    """Probe an unpatched moto server (started here, never patched)."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        json.dump(run_all(f"http://{host}:{port}", "unpatched"), sys.stdout)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
