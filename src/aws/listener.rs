//! One ELBv2 listener, read by its ARN (`elbtls client check --arn`): `DescribeListeners` with the
//! ARN, then `DescribeLoadBalancers` for its load balancer's type, name and DNS name.
//!
//! Classic load balancers have no listener ARNs (their listeners are port numbers of a load
//! balancer): such an ARN is refused with a message saying what to use instead.

use aws_config::SdkConfig;

use super::error::{AwsError, classify};
use super::{Options, elbv2, regions, session};
use crate::model::LoadBalancerType;
use crate::model::inventory::Listener;

/// The parts of an ELBv2 listener ARN
/// (`arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/LB-ID/LISTENER-ID`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerArn {
    /// The region.
    pub region: String,
    /// The account.
    pub account: String,
    /// The load balancer's type, from the `app` / `net` / `gwy` segment.
    pub lb_type: LoadBalancerType,
    /// The load balancer's name.
    pub load_balancer: String,
    /// The load balancer's ARN (the listener ARN without its last segment).
    pub load_balancer_arn: String,
}

/// Parses a listener ARN, explaining what is wrong with one that is not.
pub fn parse_listener_arn(arn: &str) -> Result<ListenerArn, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(format!(
            "`{arn}` is not an ARN (expected \
             arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID)"
        ));
    };
    if *prefix != "arn" || partition.is_empty() || *service != "elasticloadbalancing" {
        return Err(format!(
            "`{arn}` is not an Elastic Load Balancing ARN (expected \
             arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID)"
        ));
    }
    if resource.starts_with("loadbalancer/") && resource.split('/').count() == 2 {
        return Err(format!(
            "`{arn}` is a Classic load balancer: Classic listeners have no ARN. Probe it with \
             `elbtls client check --listener HOST:PORT`, or name its policy with --policy NAME \
             --type classic"
        ));
    }
    let segments: Vec<&str> = resource.split('/').collect();
    let lb_type = match segments.as_slice() {
        ["listener", "app", _, _, _] => LoadBalancerType::Application,
        ["listener", "net", _, _, _] => LoadBalancerType::Network,
        ["listener", "gwy", _, _, _] => LoadBalancerType::Gateway,
        ["loadbalancer", ..] => {
            return Err(format!(
                "`{arn}` is a load balancer ARN: give one of its listener ARNs (`aws elbv2 \
                 describe-listeners --load-balancer-arn …`)"
            ));
        }
        _ => {
            return Err(format!(
                "`{arn}` is not a listener ARN (expected …:listener/app|net/NAME/LB-ID/LISTENER-ID)"
            ));
        }
    };
    if region.is_empty() || account.is_empty() {
        return Err(format!("`{arn}`: the ARN names no region or account"));
    }
    let lb_resource = segments[1..4].join("/");
    Ok(ListenerArn {
        region: (*region).to_string(),
        account: (*account).to_string(),
        lb_type,
        load_balancer: segments[2].to_string(),
        load_balancer_arn: format!(
            "arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_resource}"
        ),
    })
}

/// A listener read by ARN, with what its load balancer says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerByArn {
    /// The parsed ARN.
    pub arn: ListenerArn,
    /// The load balancer's type as the API reports it (falls back to the ARN's).
    pub lb_type: LoadBalancerType,
    /// The load balancer's DNS name, if the API returned it.
    pub dns_name: Option<String>,
    /// The listener, its declared policy included.
    pub listener: Listener,
}

/// Reads the listener `arn` (and its load balancer) with the credentials `options` describe; the
/// region comes from the ARN.
pub async fn describe_listener(options: &Options, arn: &str) -> Result<ListenerByArn, AwsError> {
    let parsed = parse_listener_arn(arn).map_err(AwsError::Config)?;
    let config: SdkConfig = session::base_config(options).await;
    session::check_credentials(&config, options).await?;
    let opt_in = regions::is_opt_in(&parsed.region);
    let client = elbv2::client(&config, &parsed.region);
    let call_error = |operation: &'static str, failure: super::Failure| AwsError::Call {
        operation,
        region: parsed.region.clone(),
        reason: failure.reason,
        message: failure.message,
    };
    let listeners = client
        .describe_listeners()
        .listener_arns(arn)
        .send()
        .await
        .map_err(|e| call_error("DescribeListeners", classify(&e, opt_in)))?;
    let Some(api_listener) = listeners.listeners().first() else {
        return Err(AwsError::Config(format!(
            "DescribeListeners returned no listener for {arn} (deleted, or another account?)"
        )));
    };
    let listener = elbv2::convert_listener(api_listener);
    let load_balancers = client
        .describe_load_balancers()
        .load_balancer_arns(
            api_listener
                .load_balancer_arn()
                .unwrap_or(&parsed.load_balancer_arn),
        )
        .send()
        .await
        .map_err(|e| call_error("DescribeLoadBalancers", classify(&e, opt_in)))?;
    let api_lb = load_balancers.load_balancers().first();
    let lb_type = match api_lb.and_then(|lb| lb.r#type()).map(|t| t.as_str()) {
        Some("application") => LoadBalancerType::Application,
        Some("network") => LoadBalancerType::Network,
        Some("gateway") => LoadBalancerType::Gateway,
        _ => parsed.lb_type,
    };
    Ok(ListenerByArn {
        lb_type,
        dns_name: api_lb.and_then(|lb| lb.dns_name()).map(str::to_string),
        arn: parsed,
        listener,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_alb_and_nlb_listener_arns() {
        let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
        let parsed = parse_listener_arn(arn).unwrap();
        assert_eq!(parsed.region, "eu-west-1");
        assert_eq!(parsed.account, "123456789012");
        assert_eq!(parsed.lb_type, LoadBalancerType::Application);
        assert_eq!(parsed.load_balancer, "web");
        assert_eq!(
            parsed.load_balancer_arn,
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
        );
        let nlb =
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:listener/net/tcp/1/2";
        assert_eq!(
            parse_listener_arn(nlb).unwrap().lb_type,
            LoadBalancerType::Network
        );
    }

    #[test]
    fn classic_and_malformed_arns_are_explained() {
        let classic = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/my-clb";
        let error = parse_listener_arn(classic).unwrap_err();
        assert!(error.contains("Classic listeners have no ARN"), "{error}");
        assert!(error.contains("--listener HOST:PORT"), "{error}");
        let lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1";
        assert!(
            parse_listener_arn(lb)
                .unwrap_err()
                .contains("load balancer ARN")
        );
        assert!(
            parse_listener_arn("listener/app/x")
                .unwrap_err()
                .contains("not an ARN")
        );
        let s3 = "arn:aws:s3:::bucket/key:x";
        assert!(parse_listener_arn(s3).is_err());
    }
}
