//! Classic Load Balancers: load balancers, tags (20 names a call), listeners, and the
//! `SSLNegotiationPolicyType` policy of each `HTTPS`/`SSL` listener as raw attributes.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_config::{Region, SdkConfig};
use aws_sdk_elasticloadbalancing::Client;
use aws_sdk_elasticloadbalancing::error::ProvideErrorMetadata;
use aws_sdk_elasticloadbalancing::types::{
    ListenerDescription, LoadBalancerDescription, PolicyDescription,
};

use super::answer::CompleteAnswers;
use super::error::{Failure, classify};
use super::pace::Pace;
use super::pages::Pages;
use super::{ScopeReader, bounded_map};
use crate::model::LoadBalancerType;
use crate::model::inventory::{
    ApiClassicPolicy, Certificate, DeclaredPolicy, FailureReason, Listener, LoadBalancer, Scheme,
    protocol_terminates_tls,
};

/// The largest page Classic `DescribeLoadBalancers` accepts.
const PAGE_SIZE: i32 = 400;
/// Classic `DescribeTags` takes at most 20 names.
const TAGS_BATCH: usize = 20;
/// The policy type of TLS negotiation policies.
pub const SSL_POLICY_TYPE: &str = "SSLNegotiationPolicyType";

/// The Classic ELB client of one region.
pub fn client(config: &SdkConfig, region: &str) -> Client {
    Client::from_conf(
        aws_sdk_elasticloadbalancing::config::Builder::from(config)
            .region(Region::new(region.to_string()))
            .interceptor(CompleteAnswers)
            .build(),
    )
}

/// Whether a name is one of AWS's predefined (or sample) Classic policies.
pub fn is_predefined_name(name: &str) -> bool {
    name.starts_with("ELBSecurityPolicy-") || name.starts_with("ELBSample-")
}

/// A Classic policy as the API describes it: name, type and attributes in the API's order.
pub(super) fn api_policy(p: &PolicyDescription) -> ApiClassicPolicy {
    ApiClassicPolicy {
        name: p.policy_name().unwrap_or("").to_string(),
        type_name: p.policy_type_name().map(str::to_string),
        attributes: p
            .policy_attribute_descriptions()
            .iter()
            .map(|a| {
                (
                    a.attribute_name().unwrap_or("").to_string(),
                    a.attribute_value().unwrap_or("").to_string(),
                )
            })
            .collect(),
    }
}

/// Reads every Classic load balancer of the reader's scope into `reader`.
pub async fn read(config: &SdkConfig, reader: &mut ScopeReader) {
    let client = client(config, &reader.scope.region);
    let opt_in = reader.opt_in;
    let mut descriptions: Vec<LoadBalancerDescription> = Vec::new();
    let mut pages = Pages::new();
    let mut marker: Option<String> = None;
    loop {
        reader.pace.take().await;
        let page = match client
            .describe_load_balancers()
            .page_size(PAGE_SIZE)
            .set_marker(marker.take())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) => {
                reader.fail(
                    None,
                    "DescribeLoadBalancers (classic)",
                    classify(&e, opt_in),
                );
                return;
            }
        };
        for description in page.load_balancer_descriptions() {
            if let Some(missing) = missing_field(description) {
                reader.fail(
                    description.load_balancer_name().map(str::to_string),
                    "DescribeLoadBalancers (classic)",
                    Failure {
                        reason: FailureReason::InvalidResponse,
                        message: format!(
                            "a load balancer without {missing}: it is left out; the endpoint's \
                             answer is not what AWS sends"
                        ),
                    },
                );
                continue;
            }
            // A page that repeats a load balancer (a listing that changed under us) lists it once.
            let known = descriptions
                .iter()
                .any(|seen| seen.load_balancer_name() == description.load_balancer_name());
            if !known {
                descriptions.push(description.clone());
            }
        }
        match pages.next(page.next_marker()) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => break,
            Err(failure) => {
                reader.fail(None, "DescribeLoadBalancers (classic)", failure);
                break;
            }
        }
    }

    let names: Vec<String> = descriptions
        .iter()
        .filter_map(|d| d.load_balancer_name().map(str::to_string))
        .collect();
    let mut tags: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for batch in names.chunks(TAGS_BATCH) {
        reader.pace.take().await;
        match client
            .describe_tags()
            .set_load_balancer_names(Some(batch.to_vec()))
            .send()
            .await
        {
            Ok(out) => {
                for description in out.tag_descriptions() {
                    let Some(name) = description.load_balancer_name() else {
                        continue;
                    };
                    let entry = tags.entry(name.to_string()).or_default();
                    for tag in description.tags() {
                        entry.insert(tag.key().to_string(), tag.value().unwrap_or("").to_string());
                    }
                }
            }
            Err(e) => reader.fail(None, "DescribeTags (classic)", classify(&e, opt_in)),
        }
    }

    // One DescribeLoadBalancerPolicies per load balancer that has TLS listeners with policies;
    // each load balancer is handed on as soon as it is read in full.
    let scope = reader.scope.clone();
    let sink = reader.sink.clone();
    let part = reader.part;
    let pace = Arc::clone(&reader.pace);
    let read = bounded_map(descriptions, reader.inner_limit, |description| {
        let client = client.clone();
        let pace = Arc::clone(&pace);
        let sink = sink.clone();
        let name = description.load_balancer_name().unwrap_or("").to_string();
        let mut lb = LoadBalancer {
            scope: scope.clone(),
            tags: tags.remove(&name).unwrap_or_default(),
            name,
            arn: None,
            lb_type: LoadBalancerType::Classic,
            scheme: Scheme::from_api(description.scheme()),
            dns_name: description.dns_name().map(str::to_string),
            state: None,
            vpc_id: description.vpc_id().map(str::to_string),
            listeners: Vec::new(),
        };
        let inside = part.is_none_or(|(part, parts)| lb.shard(parts) == part);
        async move {
            if !inside {
                return (lb, None, false);
            }
            let names = tls_policy_names(description.listener_descriptions());
            let policies = if names.is_empty() {
                None
            } else {
                Some(policies_of(&client, &pace, &lb.name, &names, opt_in).await)
            };
            lb.listeners = description
                .listener_descriptions()
                .iter()
                .filter_map(|l| convert_listener(l, policies.as_ref()))
                .collect();
            if let Some(sink) = &sink {
                let _ = sink.send(lb.clone());
            }
            (lb, policies.and_then(Result::err), true)
        }
    })
    .await;
    for (lb, failure, inside) in read {
        if let Some(failure) = failure {
            reader.fail(
                Some(lb.name.clone()),
                "DescribeLoadBalancerPolicies",
                failure,
            );
        }
        if inside {
            reader.load_balancers.push(lb);
        } else {
            reader.outside_part.push(lb);
        }
    }
}

/// The first field AWS always sends that `description` (or one of its listeners) lacks: without
/// it a load balancer would be named `''`, or a listener silently dropped.
fn missing_field(description: &LoadBalancerDescription) -> Option<&'static str> {
    if description.load_balancer_name().is_none_or(str::is_empty) {
        return Some("LoadBalancerName");
    }
    for listener in description.listener_descriptions() {
        match listener.listener() {
            None => return Some("a Listener in one of its ListenerDescriptions"),
            Some(l) if l.protocol().is_empty() || l.load_balancer_port() == 0 => {
                return Some("a listener's Protocol or LoadBalancerPort");
            }
            Some(_) => {}
        }
    }
    None
}

/// The policy names attached to the load balancer's TLS listeners, each once.
fn tls_policy_names(listeners: &[ListenerDescription]) -> Vec<String> {
    let mut names: Vec<String> = listeners
        .iter()
        .filter(|l| {
            l.listener()
                .is_some_and(|l| protocol_terminates_tls(l.protocol()))
        })
        .flat_map(|l| l.policy_names().iter().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `DescribeLoadBalancerPolicies(LoadBalancerName, PolicyNames)`. A name AWS does not know on that
/// load balancer (a predefined policy attached by name) makes the whole call fail with
/// `PolicyNotFound`; then every policy of the load balancer is asked for instead, and the missing
/// names are resolved from the catalogue by the caller.
async fn policies_of(
    client: &Client,
    pace: &Pace,
    lb: &str,
    names: &[String],
    opt_in: bool,
) -> Result<Vec<ApiClassicPolicy>, Failure> {
    pace.take().await;
    let first = client
        .describe_load_balancer_policies()
        .load_balancer_name(lb)
        .set_policy_names(Some(names.to_vec()))
        .send()
        .await;
    let output = match first {
        Ok(output) => output,
        Err(e) if e.code() == Some("PolicyNotFound") => {
            pace.take().await;
            client
                .describe_load_balancer_policies()
                .load_balancer_name(lb)
                .send()
                .await
                .map_err(|e| classify(&e, opt_in))?
        }
        Err(e) => return Err(classify(&e, opt_in)),
    };
    Ok(output
        .policy_descriptions()
        .iter()
        .map(api_policy)
        .collect())
}

fn convert_listener(
    description: &ListenerDescription,
    policies: Option<&Result<Vec<ApiClassicPolicy>, Failure>>,
) -> Option<Listener> {
    let api = description.listener()?;
    let protocol = api.protocol().to_ascii_uppercase();
    let tls = protocol_terminates_tls(&protocol);
    let declared = if tls {
        declared_policy(description.policy_names(), policies)
    } else {
        DeclaredPolicy::None
    };
    let certificates = match api.ssl_certificate_id() {
        Some(arn) if tls && !arn.is_empty() => vec![Certificate::from_arn(arn, true)],
        _ => Vec::new(),
    };
    Some(Listener {
        arn: None,
        port: u16::try_from(api.load_balancer_port()).unwrap_or(0),
        protocol,
        declared,
        certificates,
        alpn_policy: Vec::new(),
        mutual_tls: None,
        redirects_to_https: None,
    })
}

/// The policy a Classic TLS listener runs, from the names attached to it and the descriptions
/// `DescribeLoadBalancerPolicies` returned.
pub fn declared_policy(
    attached: &[String],
    described: Option<&Result<Vec<ApiClassicPolicy>, Failure>>,
) -> DeclaredPolicy {
    if attached.is_empty() {
        return DeclaredPolicy::ClassicDefault;
    }
    let described = match described {
        Some(Ok(described)) => described.as_slice(),
        Some(Err(failure)) => {
            return DeclaredPolicy::Unreadable {
                name: Some(attached.join(", ")),
                reason: failure.message.clone(),
            };
        }
        None => &[],
    };
    let ssl = attached.iter().find_map(|name| {
        described.iter().find(|p| {
            &p.name == name && p.type_name.as_deref().is_none_or(|t| t == SSL_POLICY_TYPE)
        })
    });
    if let Some(policy) = ssl {
        if policy.attributes.is_empty() && is_predefined_name(&policy.name) {
            return DeclaredPolicy::Named {
                name: policy.name.clone(),
            };
        }
        return DeclaredPolicy::ClassicAttributes {
            name: policy.name.clone(),
            attributes: policy.attributes.clone(),
        };
    }
    let missing: Vec<&String> = attached
        .iter()
        .filter(|name| !described.iter().any(|p| &p.name == *name))
        .collect();
    if let Some(predefined) = missing.iter().find(|n| is_predefined_name(n)) {
        return DeclaredPolicy::Named {
            name: (*predefined).clone(),
        };
    }
    match missing.first() {
        Some(name) => DeclaredPolicy::Unreadable {
            name: Some((*name).clone()),
            reason: format!(
                "policy `{name}` is attached but DescribeLoadBalancerPolicies did not return it"
            ),
        },
        // Only other policy types (stickiness, …) are attached: no TLS policy, so the default.
        None => DeclaredPolicy::ClassicDefault,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(name: &str, type_name: &str, attributes: &[(&str, &str)]) -> ApiClassicPolicy {
        ApiClassicPolicy {
            name: name.to_string(),
            type_name: Some(type_name.to_string()),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_listener_without_policy_gets_the_default() {
        assert_eq!(declared_policy(&[], None), DeclaredPolicy::ClassicDefault);
        let stickiness = Ok(vec![policy("sticky", "LBCookieStickinessPolicyType", &[])]);
        assert_eq!(
            declared_policy(&names(&["sticky"]), Some(&stickiness)),
            DeclaredPolicy::ClassicDefault
        );
    }

    #[test]
    fn keeps_the_ssl_policy_attributes_and_skips_other_types() {
        let described = Ok(vec![
            policy("sticky", "LBCookieStickinessPolicyType", &[]),
            policy(
                "ref-pol",
                SSL_POLICY_TYPE,
                &[("Reference-Security-Policy", "ELBSecurityPolicy-2016-08")],
            ),
        ]);
        assert_eq!(
            declared_policy(&names(&["sticky", "ref-pol"]), Some(&described)),
            DeclaredPolicy::ClassicAttributes {
                name: "ref-pol".into(),
                attributes: vec![(
                    "Reference-Security-Policy".into(),
                    "ELBSecurityPolicy-2016-08".into()
                )],
            }
        );
    }

    #[test]
    fn a_predefined_name_not_returned_is_named() {
        let described = Ok(vec![]);
        assert_eq!(
            declared_policy(
                &names(&["ELBSecurityPolicy-TLS-1-2-2017-01"]),
                Some(&described)
            ),
            DeclaredPolicy::Named {
                name: "ELBSecurityPolicy-TLS-1-2-2017-01".into()
            }
        );
        assert!(matches!(
            declared_policy(&names(&["gone"]), Some(&described)),
            DeclaredPolicy::Unreadable { .. }
        ));
    }
}
