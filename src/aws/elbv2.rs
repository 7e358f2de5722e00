//! ELBv2 (Application, Network, Gateway): load balancers, tags (20 ARNs a call), listeners and
//! their certificates, in one account and region.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_config::{Region, SdkConfig};
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    ActionTypeEnum, Listener as ApiListener, LoadBalancer as ApiLoadBalancer, LoadBalancerTypeEnum,
};

use super::answer::{CompleteAnswers, snippet};
use super::error::{Failure, classify};
use super::pace::Pace;
use super::pages::Pages;
use super::{ScopeReader, bounded_map};
use crate::model::LoadBalancerType;
use crate::model::inventory::{
    Certificate, DeclaredPolicy, FailureReason, Listener, LoadBalancer, Scheme,
    protocol_terminates_tls,
};

/// The largest page `DescribeLoadBalancers` / `DescribeListeners` accept.
const PAGE_SIZE: i32 = 400;
/// `DescribeTags` takes at most 20 ARNs.
const TAGS_BATCH: usize = 20;

/// The ELBv2 client of one region.
pub fn client(config: &SdkConfig, region: &str) -> Client {
    Client::from_conf(
        aws_sdk_elasticloadbalancingv2::config::Builder::from(config)
            .region(Region::new(region.to_string()))
            .interceptor(CompleteAnswers)
            .build(),
    )
}

/// Reads every ELBv2 load balancer of the reader's scope into `reader`.
pub async fn read(config: &SdkConfig, reader: &mut ScopeReader) {
    let client = client(config, &reader.scope.region);
    let opt_in = reader.opt_in;
    let mut api_lbs: Vec<ApiLoadBalancer> = Vec::new();
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
                reader.fail(None, "DescribeLoadBalancers (elbv2)", classify(&e, opt_in));
                return;
            }
        };
        for lb in page.load_balancers() {
            // A page that repeats a load balancer (a listing that changed under us) lists it once.
            let known = api_lbs
                .iter()
                .any(|seen| seen.load_balancer_arn() == lb.load_balancer_arn());
            if !known {
                api_lbs.push(lb.clone());
            }
        }
        match pages.next(page.next_marker()) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => break,
            Err(failure) => {
                reader.fail(None, "DescribeLoadBalancers (elbv2)", failure);
                break;
            }
        }
    }

    let mut lbs = Vec::new();
    for api in &api_lbs {
        match convert_load_balancer(api, reader) {
            Ok(lb) => lbs.push(lb),
            Err(failure) => reader.fail(
                api.load_balancer_arn().map(str::to_string),
                "DescribeLoadBalancers (elbv2)",
                failure,
            ),
        }
    }

    let arns: Vec<String> = lbs.iter().filter_map(|lb| lb.arn.clone()).collect();
    let mut tags: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for batch in arns.chunks(TAGS_BATCH) {
        reader.pace.take().await;
        match client
            .describe_tags()
            .set_resource_arns(Some(batch.to_vec()))
            .send()
            .await
        {
            Ok(out) => {
                for description in out.tag_descriptions() {
                    let Some(arn) = description.resource_arn() else {
                        continue;
                    };
                    let entry = tags.entry(arn.to_string()).or_default();
                    for tag in description.tags() {
                        if let Some(key) = tag.key() {
                            entry.insert(key.to_string(), tag.value().unwrap_or("").to_string());
                        }
                    }
                }
            }
            Err(e) => reader.fail(None, "DescribeTags (elbv2)", classify(&e, opt_in)),
        }
    }

    for lb in &mut lbs {
        lb.tags = lb
            .arn
            .as_ref()
            .and_then(|arn| tags.remove(arn))
            .unwrap_or_default();
    }
    let (lbs, outside): (Vec<LoadBalancer>, Vec<LoadBalancer>) =
        lbs.into_iter().partition(|lb| reader.in_part(lb));
    reader.outside_part.extend(outside);
    // Each load balancer is handed on as soon as its listeners are read.
    let sink = reader.sink.clone();
    let read = bounded_map(lbs, reader.inner_limit, |mut lb| {
        let client = client.clone();
        let sink = sink.clone();
        let pace = Arc::clone(&reader.pace);
        async move {
            let arn = lb.arn.clone().unwrap_or_default();
            let result = listeners_of(&client, &pace, &arn, opt_in).await;
            lb.listeners = result.listeners;
            if let Some(sink) = &sink {
                let _ = sink.send(lb.clone());
            }
            (lb, result.failures)
        }
    })
    .await;
    for (lb, failures) in read {
        for (operation, failure) in failures {
            reader.fail(lb.arn.clone(), operation, failure);
        }
        reader.load_balancers.push(lb);
    }
}

fn convert_load_balancer(
    api: &ApiLoadBalancer,
    reader: &ScopeReader,
) -> Result<LoadBalancer, Failure> {
    let name = api.load_balancer_name().unwrap_or_default();
    let arn = api.load_balancer_arn().unwrap_or_default();
    if name.is_empty() || arn.is_empty() {
        return Err(Failure {
            reason: FailureReason::InvalidResponse,
            message: format!(
                "a load balancer without {} (`{}`): it is left out; the endpoint's answer is not \
                 what AWS sends",
                if name.is_empty() {
                    "LoadBalancerName"
                } else {
                    "LoadBalancerArn"
                },
                snippet(if name.is_empty() { arn } else { name })
            ),
        });
    }
    let lb_type = match api.r#type() {
        Some(LoadBalancerTypeEnum::Application) => LoadBalancerType::Application,
        Some(LoadBalancerTypeEnum::Network) => LoadBalancerType::Network,
        Some(LoadBalancerTypeEnum::Gateway) => LoadBalancerType::Gateway,
        other => {
            return Err(Failure {
                reason: FailureReason::Other,
                message: format!(
                    "load balancer {} has type {:?}, which elbtls does not know",
                    api.load_balancer_name().unwrap_or("?"),
                    other.map(|t| t.as_str())
                ),
            });
        }
    };
    Ok(LoadBalancer {
        scope: reader.scope.clone(),
        name: api.load_balancer_name().unwrap_or_default().to_string(),
        arn: api.load_balancer_arn().map(str::to_string),
        lb_type,
        scheme: Scheme::from_api(api.scheme().map(|s| s.as_str())),
        dns_name: api.dns_name().map(str::to_string),
        state: api
            .state()
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_string()),
        vpc_id: api.vpc_id().map(str::to_string),
        tags: BTreeMap::new(),
        listeners: Vec::new(),
    })
}

/// The listeners of one load balancer, and what could not be read about them.
struct ListenersResult {
    listeners: Vec<Listener>,
    failures: Vec<(&'static str, Failure)>,
}

async fn listeners_of(client: &Client, pace: &Pace, lb_arn: &str, opt_in: bool) -> ListenersResult {
    let mut result = ListenersResult {
        listeners: Vec::new(),
        failures: Vec::new(),
    };
    let mut api_listeners: Vec<ApiListener> = Vec::new();
    let mut pages = Pages::new();
    let mut marker: Option<String> = None;
    loop {
        pace.take().await;
        let page = match client
            .describe_listeners()
            .load_balancer_arn(lb_arn)
            .page_size(PAGE_SIZE)
            .set_marker(marker.take())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) => {
                result
                    .failures
                    .push(("DescribeListeners", classify(&e, opt_in)));
                return result;
            }
        };
        for listener in page.listeners() {
            let known = api_listeners
                .iter()
                .any(|seen| seen.listener_arn() == listener.listener_arn());
            if !known {
                api_listeners.push(listener.clone());
            }
        }
        match pages.next(page.next_marker()) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => break,
            Err(failure) => {
                result.failures.push(("DescribeListeners", failure));
                break;
            }
        }
    }
    for api in &api_listeners {
        if let Some(missing) = missing_listener_field(api) {
            result.failures.push((
                "DescribeListeners",
                Failure {
                    reason: FailureReason::InvalidResponse,
                    message: format!(
                        "a listener without {missing} (listener {}): it is left out; the \
                         endpoint's answer is not what AWS sends",
                        api.listener_arn().unwrap_or("with no ARN")
                    ),
                },
            ));
            continue;
        }
        let mut listener = convert_listener(api);
        if listener.terminates_tls()
            && let Some(arn) = api.listener_arn()
        {
            match certificates_of(client, pace, arn, opt_in).await {
                Ok(certificates) if !certificates.is_empty() => {
                    listener.certificates = certificates;
                }
                Ok(_) => {}
                Err(failure) => result
                    .failures
                    .push(("DescribeListenerCertificates", failure)),
            }
        }
        result.listeners.push(listener);
    }
    result
}

/// The first field AWS always sends that `api` lacks (Gateway listeners have no port or protocol:
/// only the ARN is always there).
fn missing_listener_field(api: &ApiListener) -> Option<&'static str> {
    api.listener_arn()
        .is_none_or(str::is_empty)
        .then_some("ListenerArn")
}

/// A listener as `DescribeListeners` describes it. The default certificate comes from the listener
/// itself; SNI certificates are added from `DescribeListenerCertificates`.
pub(crate) fn convert_listener(api: &ApiListener) -> Listener {
    let protocol = api
        .protocol()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let tls = protocol_terminates_tls(&protocol);
    // moto (and nothing real) puts an SslPolicy on HTTP/TCP listeners: only TLS ones have one.
    let declared = if !tls {
        DeclaredPolicy::None
    } else if let Some(name) = api.ssl_policy() {
        DeclaredPolicy::Named {
            name: name.to_string(),
        }
    } else {
        DeclaredPolicy::Unreadable {
            name: None,
            reason: "DescribeListeners returned no SslPolicy".to_string(),
        }
    };
    let certificates = if tls {
        api.certificates()
            .iter()
            .filter_map(|c| c.certificate_arn())
            .enumerate()
            .map(|(i, arn)| Certificate::from_arn(arn, i == 0))
            .collect()
    } else {
        Vec::new()
    };
    let redirects_to_https = (protocol == "HTTP").then(|| {
        api.default_actions().iter().any(|action| {
            action.r#type() == Some(&ActionTypeEnum::Redirect)
                && action
                    .redirect_config()
                    .and_then(|r| r.protocol())
                    .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
        })
    });
    Listener {
        arn: api.listener_arn().map(str::to_string),
        port: api.port().and_then(|p| u16::try_from(p).ok()).unwrap_or(0),
        protocol,
        declared,
        certificates,
        alpn_policy: if tls {
            api.alpn_policy().to_vec()
        } else {
            Vec::new()
        },
        mutual_tls: api
            .mutual_authentication()
            .and_then(|m| m.mode())
            .map(str::to_string),
        redirects_to_https,
    }
}

/// Default and SNI certificates of a listener (paginated). AWS lists the default certificate
/// with `IsDefault` true, and may list it a second time with false: each ARN is kept once.
async fn certificates_of(
    client: &Client,
    pace: &Pace,
    listener_arn: &str,
    opt_in: bool,
) -> Result<Vec<Certificate>, Failure> {
    let mut certificates: Vec<Certificate> = Vec::new();
    let mut pages = Pages::new();
    let mut marker: Option<String> = None;
    loop {
        pace.take().await;
        let page = client
            .describe_listener_certificates()
            .listener_arn(listener_arn)
            .page_size(PAGE_SIZE)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| classify(&e, opt_in))?;
        for cert in page.certificates() {
            let Some(arn) = cert.certificate_arn() else {
                continue;
            };
            let is_default = cert.is_default().unwrap_or(false);
            match certificates.iter_mut().find(|c| c.arn == arn) {
                Some(existing) => existing.is_default |= is_default,
                None => certificates.push(Certificate::from_arn(arn, is_default)),
            }
        }
        match pages.next(page.next_marker())? {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    certificates.sort_by_key(|c| !c.is_default);
    Ok(certificates)
}
