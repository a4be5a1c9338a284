"""Application Auto Scaling's target tracking, as the stack uses it: one policy that keeps a
scalable target's predefined utilization metric at a target value."""

from __future__ import annotations

from constructs import Construct

from tapgen.aws import aws


def target_tracking_policy(scope: Construct, name: str, policy_name: str, target, target_value, metric_type: str):
    """An `aws_appautoscaling_policy` `name` on `target` (an `aws_appautoscaling_target`)."""
    policy = aws.appautoscaling_policy
    configuration = policy.AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration
    metric = policy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification
    return policy.AppautoscalingPolicy(
        scope,
        name,
        name=policy_name,
        policy_type="TargetTrackingScaling",
        service_namespace=target.service_namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        target_tracking_scaling_policy_configuration=configuration(
            target_value=target_value, predefined_metric_specification=metric(predefined_metric_type=metric_type)
        ),
    )
