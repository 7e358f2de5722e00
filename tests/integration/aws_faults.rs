//! The fake AWS endpoint suite: `support::aws_stub` on loopback answering the ELB APIs the way a
//! broken proxy, a half-dead emulator or a cut connection would — truncated 200 bodies, HTML, empty
//! and JSON 200s, a 503 page, endless and looping `NextMarker`s, a hang, a failing
//! `credential_process`. Whatever could not be read must make the scope incomplete (exit 3) with a
//! reason a person can read; never a silent pass, never a load balancer or listener lost or
//! invented.
//!
//! Several faults run in one invocation: each region of `--region` gets its own fault (the stub
//! reads the region from the request's SigV4 scope).

use std::time::{Duration, Instant};

use crate::support::aws_stub::{AwsStub, CUT_CONNECTION, Request, Response, query_error, query_ok};
use crate::support::moto::{elbtls, elbtls_at, json, stderr, stdout};
use serde_json::Value;

const V2_NS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const CLASSIC_NS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/";
const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

fn caller_identity() -> Response {
    query_ok(
        "GetCallerIdentity",
        STS_NS,
        "<Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId>\
         <Account>123456789012</Account>",
    )
}

fn lb_arn(region: &str, name: &str) -> String {
    format!(
        "arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/app/{name}/50dc6c495c0c9188"
    )
}

fn v2_lb_member(region: &str, name: &str) -> String {
    format!(
        "<member><LoadBalancerArn>{}</LoadBalancerArn>\
         <Scheme>internet-facing</Scheme><LoadBalancerName>{name}</LoadBalancerName>\
         <DNSName>{name}-1.{region}.elb.amazonaws.com</DNSName>\
         <State><Code>active</Code></State><Type>application</Type></member>",
        lb_arn(region, name)
    )
}

/// The ELBv2 `DescribeLoadBalancers` answer of a healthy region: two ALBs.
fn v2_load_balancers(region: &str, names: &[&str], next_marker: Option<&str>) -> Response {
    let members: String = names.iter().map(|n| v2_lb_member(region, n)).collect();
    let marker = next_marker
        .map(|m| format!("<NextMarker>{m}</NextMarker>"))
        .unwrap_or_default();
    query_ok(
        "DescribeLoadBalancers",
        V2_NS,
        &format!("<LoadBalancers>{members}</LoadBalancers>{marker}"),
    )
}

/// Two listeners of the load balancer `lb_arn`: HTTPS 443 and HTTP 80.
fn v2_listeners(lb_arn: &str) -> Response {
    let listener = lb_arn.replace(":loadbalancer/", ":listener/");
    query_ok(
        "DescribeListeners",
        V2_NS,
        &format!(
            "<Listeners><member>\
             <ListenerArn>{listener}/f2f7dc8efc522ab2</ListenerArn><LoadBalancerArn>{lb_arn}</LoadBalancerArn>\
             <Port>443</Port><Protocol>HTTPS</Protocol>\
             <SslPolicy>ELBSecurityPolicy-TLS13-1-2-2021-06</SslPolicy>\
             <Certificates><member><CertificateArn>arn:aws:iam::123456789012:server-certificate/web</CertificateArn></member></Certificates>\
             <DefaultActions><member><Type>fixed-response</Type></member></DefaultActions>\
             </member><member>\
             <ListenerArn>{listener}/a1a1a1a1a1a1a1a1</ListenerArn><LoadBalancerArn>{lb_arn}</LoadBalancerArn>\
             <Port>80</Port><Protocol>HTTP</Protocol>\
             <DefaultActions><member><Type>fixed-response</Type></member></DefaultActions>\
             </member></Listeners>"
        ),
    )
}

/// The Classic `DescribeLoadBalancers` answer of a healthy region: one load balancer with an
/// HTTPS 443 listener (no policy attached: AWS's default applies) and an HTTP 80 listener.
fn classic_load_balancers() -> Response {
    query_ok(
        "DescribeLoadBalancers",
        CLASSIC_NS,
        "<LoadBalancerDescriptions><member>\
         <LoadBalancerName>legacy</LoadBalancerName><Scheme>internet-facing</Scheme>\
         <DNSName>legacy-1.elb.amazonaws.com</DNSName>\
         <ListenerDescriptions><member>\
         <Listener><Protocol>HTTPS</Protocol><LoadBalancerPort>443</LoadBalancerPort>\
         <InstanceProtocol>HTTP</InstanceProtocol><InstancePort>80</InstancePort>\
         <SSLCertificateId>arn:aws:iam::123456789012:server-certificate/legacy</SSLCertificateId></Listener>\
         <PolicyNames/>\
         </member><member>\
         <Listener><Protocol>HTTP</Protocol><LoadBalancerPort>80</LoadBalancerPort>\
         <InstanceProtocol>HTTP</InstanceProtocol><InstancePort>80</InstancePort></Listener>\
         <PolicyNames/>\
         </member></ListenerDescriptions>\
         </member></LoadBalancerDescriptions>",
    )
}

/// A healthy region: two ALBs with two listeners each, one Classic load balancer with two.
fn healthy(request: &Request) -> Response {
    let region = request.region.as_str();
    match (request.is_classic(), request.action()) {
        (_, "GetCallerIdentity") => caller_identity(),
        (false, "DescribeLoadBalancers") => v2_load_balancers(region, &["web", "api"], None),
        (false, "DescribeTags") => query_ok("DescribeTags", V2_NS, "<TagDescriptions/>"),
        (false, "DescribeListeners") => v2_listeners(
            request
                .form
                .get("LoadBalancerArn")
                .map_or("", String::as_str),
        ),
        (false, "DescribeListenerCertificates") => query_ok(
            "DescribeListenerCertificates",
            V2_NS,
            "<Certificates><member><CertificateArn>arn:aws:iam::123456789012:server-certificate/web</CertificateArn>\
             <IsDefault>true</IsDefault></member></Certificates>",
        ),
        (true, "DescribeLoadBalancers") => classic_load_balancers(),
        (true, "DescribeTags") => query_ok("DescribeTags", CLASSIC_NS, "<TagDescriptions/>"),
        (_, action) => query_error(400, "InvalidAction", &format!("stub has no {action}")),
    }
}

/// `body` cut after `at` bytes, as a proxy that drops the rest of the answer would deliver it
/// (the Content-Length is the cut length: nothing at the HTTP level says it is short).
fn cut((status, content_type, body): Response, at: usize) -> Response {
    (status, content_type, body[..at.min(body.len())].to_string())
}

/// The places a truncation is worth trying in `body`: right after each complete `</member>` (the
/// silent kind: what was read parses), in the middle of elements, and just before the end.
fn cut_points(body: &str) -> Vec<usize> {
    let mut points: Vec<usize> = body
        .match_indices("</member>")
        .map(|(i, m)| i + m.len())
        .collect();
    points.extend([
        0,
        body.len() / 5,
        body.len() / 2,
        body.len() * 4 / 5,
        body.len() - 1,
    ]);
    if let Some(i) = body.find("<ResponseMetadata>") {
        points.push(i);
    }
    if let Some(i) = body.rfind("</") {
        points.push(i);
    }
    points.sort_unstable();
    points.dedup();
    points
}

/// The failures of `doc` in `region`, as (reason, message).
fn failures_in<'a>(doc: &'a Value, region: &str) -> Vec<(&'a str, &'a str)> {
    doc["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["region"] == region)
        .map(|f| {
            (
                f["reason"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect()
}

/// (load balancer, port) of every listener of `doc` in `region`.
fn listeners_in(doc: &Value, region: &str) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    for lb in doc["load_balancers"].as_array().unwrap() {
        if lb["region"] != region && lb["scope"]["region"] != region {
            continue;
        }
        let name = lb["name"].as_str().unwrap().to_string();
        for listener in lb["listeners"].as_array().unwrap() {
            found.push((name.clone(), listener["port"].as_u64().unwrap()));
        }
    }
    found.sort();
    found
}

/// Load balancer names of `doc` in `region`.
fn load_balancers_in(doc: &Value, region: &str) -> Vec<String> {
    let mut names: Vec<String> = doc["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|lb| lb["region"] == region || lb["scope"]["region"] == region)
        .map(|lb| lb["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// The region a fault is served in: `tv-KIND-N` (a valid region code shape).
fn fault_region(kind: &str, n: usize) -> String {
    format!("tv-{kind}-{n}")
}

/// `(kind, n)` of a `tv-KIND-N` region.
fn fault_of(request: &Request) -> Option<(String, usize)> {
    let mut parts = request.region.split('-');
    let (Some("tv"), Some(kind), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some((kind.to_string(), n.parse().ok()?))
}

fn inventory_json(stub: &AwsStub, regions: &[String]) -> (std::process::Output, Value) {
    inventory_json_with(stub, regions, &[])
}

fn inventory_json_with(
    stub: &AwsStub,
    regions: &[String],
    extra: &[&str],
) -> (std::process::Output, Value) {
    let regions = regions.join(",");
    let mut args = vec!["inventory", "--region", &regions, "--format", "json"];
    args.extend_from_slice(extra);
    // The fault regions are made up: named as regions newer than elbtls's list.
    let out = elbtls(
        &args,
        &[
            ("AWS_ENDPOINT_URL", &stub.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("ELBTLS_EXTRA_REGIONS", &regions),
        ],
    );
    let doc = json(&out);
    (out, doc)
}

/// A reason a person can read: not the SDK's placeholder, not a debug structure, one line.
fn assert_readable(message: &str) {
    for unreadable in ["Unknown", "Unhandled", " { ", "Some(", "None", "\n"] {
        assert!(
            !message.contains(unreadable),
            "`{unreadable}` in the message: {message}"
        );
    }
}

#[test]
fn truncated_200_answers_make_the_scope_incomplete_and_lose_or_invent_nothing() {
    let probe_region = "tv-ok-0";
    let v2_lbs = v2_load_balancers(probe_region, &["web", "api"], None).2;
    let v2_listeners_body = v2_listeners(&lb_arn(probe_region, "web")).2;
    let classic_body = classic_load_balancers().2;
    let cuts = [
        ("vlb", cut_points(&v2_lbs)),
        ("vls", cut_points(&v2_listeners_body)),
        ("clb", cut_points(&classic_body)),
    ];
    let stub_cuts = cuts.clone();
    let stub = AwsStub::start(move |request| {
        let healthy_answer = healthy(request);
        let Some((kind, n)) = fault_of(request) else {
            return healthy_answer;
        };
        let Some((_, points)) = stub_cuts.iter().find(|(k, _)| *k == kind) else {
            return healthy_answer;
        };
        let at = points[n];
        match (kind.as_str(), request.is_classic(), request.action()) {
            ("vlb", false, "DescribeLoadBalancers")
            | ("vls", false, "DescribeListeners")
            | ("clb", true, "DescribeLoadBalancers") => cut(healthy_answer, at),
            _ => healthy_answer,
        }
    });
    let mut regions = vec!["tv-ok-0".to_string()];
    for (kind, points) in &cuts {
        regions.extend((0..points.len()).map(|n| fault_region(kind, n)));
    }
    let (out, doc) = inventory_json(&stub, &regions);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(doc["complete"], false);

    // The healthy region: every listener served is reported, nothing else.
    assert!(failures_in(&doc, "tv-ok-0").is_empty());
    let all = vec![
        ("api".to_string(), 80),
        ("api".to_string(), 443),
        ("legacy".to_string(), 80),
        ("legacy".to_string(), 443),
        ("web".to_string(), 80),
        ("web".to_string(), 443),
    ];
    assert_eq!(listeners_in(&doc, "tv-ok-0"), all);

    for (kind, points) in &cuts {
        for (n, at) in points.iter().enumerate() {
            let region = fault_region(kind, n);
            let context = format!("{region}: cut at byte {at}");
            let failures = failures_in(&doc, &region);
            let (operation, lost): (&str, &[&str]) = match *kind {
                "vlb" => ("DescribeLoadBalancers (elbv2)", &["api", "web"]),
                "vls" => ("DescribeListeners", &[]),
                _ => ("DescribeLoadBalancers (classic)", &["legacy"]),
            };
            assert!(
                !failures.is_empty()
                    && failures
                        .iter()
                        .all(|(reason, message)| *reason == "invalid-response"
                            && message.starts_with(operation)),
                "{context}: {failures:?}"
            );
            for (_, message) in &failures {
                assert_readable(message);
                assert!(
                    message.contains("cut short") || message.contains("empty"),
                    "{context}: {message}"
                );
            }
            // No phantom: every load balancer has its name; the ones whose answer was cut are
            // not reported at all, the others fully.
            let names = load_balancers_in(&doc, &region);
            assert!(names.iter().all(|n| !n.is_empty()), "{context}: {names:?}");
            let expected_names: Vec<String> = ["api", "legacy", "web"]
                .iter()
                .filter(|n| !lost.contains(n))
                .map(|n| n.to_string())
                .collect();
            assert_eq!(names, expected_names, "{context}");
            let listeners = listeners_in(&doc, &region);
            let expected: Vec<(String, u64)> = all
                .iter()
                .filter(|(lb, _)| {
                    !lost.contains(&lb.as_str()) && (*kind != "vls" || lb == "legacy")
                })
                .cloned()
                .collect();
            assert_eq!(listeners, expected, "{context}");
        }
    }
}

#[test]
fn an_answer_cut_in_transit_is_incomplete_and_said_plainly() {
    // The connection closes 100 bytes before the announced Content-Length, in each API.
    let stub = AwsStub::start(|request| {
        let answer = healthy(request);
        match (fault_of(request), request.is_classic(), request.action()) {
            (Some(_), false, "DescribeListeners") | (Some(_), true, "DescribeLoadBalancers") => (
                answer.0,
                CUT_CONNECTION,
                answer.2[..answer.2.len() / 2].to_string(),
            ),
            _ => answer,
        }
    });
    let (out, doc) = inventory_json(&stub, &[fault_region("transit", 1)]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let failures = failures_in(&doc, "tv-transit-1");
    assert_eq!(
        failures.len(),
        3,
        "two ALBs' listeners and Classic: {failures:?}"
    );
    for (reason, message) in &failures {
        assert_eq!(*reason, "invalid-response", "{message}");
        assert_readable(message);
        assert!(message.contains("could not be read"), "{message}");
    }
    assert_eq!(load_balancers_in(&doc, "tv-transit-1"), ["api", "web"]);
    assert!(listeners_in(&doc, "tv-transit-1").is_empty());
}

#[test]
fn html_empty_json_and_503_answers_get_a_reason_a_person_can_read() {
    let stub = AwsStub::start(|request| {
        let Some((kind, _)) = fault_of(request) else {
            return healthy(request);
        };
        if request.is_classic() || request.action() != "DescribeLoadBalancers" {
            return healthy(request);
        }
        match kind.as_str() {
            // A captive portal or proxy login page.
            "html" => (
                200,
                "text/html",
                "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Proxy \
                 authentication required</body></html>"
                    .to_string(),
            ),
            "empty" => (200, "text/xml", String::new()),
            // A JSON-protocol answer where XML was expected (the wrong service behind the URL).
            "json" => (
                200,
                "application/json",
                r#"{"LoadBalancers":[{"LoadBalancerName":"web"}]}"#.to_string(),
            ),
            // A load balancer in front of the endpoint, out of backends.
            _ => (
                503,
                "text/html",
                format!(
                    "<html><head><title>503 Service Temporarily Unavailable</title></head>\
                     <body><center><h1>503 Service Temporarily Unavailable</h1></center>{}\
                     </body></html>",
                    "<!-- padding -->".repeat(200)
                ),
            ),
        }
    });
    let regions: Vec<String> = ["html", "empty", "json", "unavailable"]
        .iter()
        .map(|k| fault_region(k, 1))
        .collect();
    let (out, doc) = inventory_json(&stub, &regions);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    for region in &regions {
        let failures = failures_in(&doc, region);
        assert_eq!(failures.len(), 1, "{region}: {failures:?}");
        let (reason, message) = failures[0];
        assert_readable(message);
        assert!(
            message.starts_with("DescribeLoadBalancers (elbv2): "),
            "{message}"
        );
        assert!(
            message.contains(&stub.endpoint()) || message.contains("127.0.0.1"),
            "names the endpoint: {message}"
        );
        assert!(
            message.contains("--endpoint-url") || message.contains("proxy"),
            "says what to check: {message}"
        );
        assert!(
            message.len() < 600,
            "the page is not quoted whole: {message}"
        );
        let expected = if region.contains("unavailable") {
            assert!(message.contains("HTTP 503"), "{message}");
            assert!(message.contains("text/html"), "{message}");
            "service-error"
        } else {
            assert!(message.contains("HTTP 200"), "{message}");
            "invalid-response"
        };
        assert_eq!(reason, expected, "{region}: {message}");
        // The healthy Classic API of the same region is still read.
        assert_eq!(load_balancers_in(&doc, region), ["legacy"], "{region}");
    }
    let html = failures_in(&doc, "tv-html-1")[0].1;
    assert!(
        html.contains("text/html") && html.contains("Sign in"),
        "{html}"
    );
    let json_failure = failures_in(&doc, "tv-json-1")[0].1;
    assert!(json_failure.contains("application/json"), "{json_failure}");
    let empty = failures_in(&doc, "tv-empty-1")[0].1;
    assert!(empty.contains("empty"), "{empty}");
}

#[test]
fn endless_pagination_stops_at_the_page_cap() {
    let stub = AwsStub::start(|request| {
        if fault_of(request).is_none()
            || request.is_classic()
            || request.action() != "DescribeLoadBalancers"
        {
            return healthy(request);
        }
        // Every page names a next page, forever; each page repeats no load balancer.
        let page: usize = request
            .form
            .get("Marker")
            .and_then(|m| m.strip_prefix("page-"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let next = format!("page-{}", page + 1);
        if page == 0 {
            v2_load_balancers(&request.region, &["web"], Some(&next))
        } else {
            v2_load_balancers(&request.region, &[], Some(&next))
        }
    });
    // The page cap, not the pace: 1,000 pages at AWS's documented pace (--api-rate 10) take
    // some 100 s.
    let started = Instant::now();
    let (out, doc) = inventory_json_with(
        &stub,
        &[fault_region("endless", 1)],
        &["--api-rate", "10000"],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let pages = stub
        .requests()
        .iter()
        .filter(|r| !r.is_classic() && r.action() == "DescribeLoadBalancers")
        .count();
    assert_eq!(pages, 1000, "the documented cap");
    assert!(took < Duration::from_secs(60), "{took:?}");
    let failures = failures_in(&doc, "tv-endless-1");
    assert_eq!(failures.len(), 1, "{failures:?}");
    let (reason, message) = failures[0];
    assert_eq!(reason, "invalid-response");
    assert_readable(message);
    assert!(message.contains("1000 pages"), "{message}");
    // What was read is kept, once; the scope says it is incomplete.
    assert_eq!(load_balancers_in(&doc, "tv-endless-1"), ["legacy", "web"]);
}

#[test]
fn a_marker_seen_before_ends_the_listing_without_duplicates() {
    let stub = AwsStub::start(|request| {
        let Some((kind, _)) = fault_of(request) else {
            return healthy(request);
        };
        let marker = request.form.get("Marker").map(String::as_str);
        match (kind.as_str(), request.is_classic(), request.action()) {
            // Pages: (start) web → A; A: api → B; B: web again → A again: a loop.
            ("loop", false, "DescribeLoadBalancers") => match marker {
                None => v2_load_balancers(&request.region, &["web"], Some("A")),
                Some("A") => v2_load_balancers(&request.region, &["api"], Some("B")),
                _ => v2_load_balancers(&request.region, &["web"], Some("A")),
            },
            // The same marker again at once.
            ("again", false, "DescribeLoadBalancers") => match marker {
                None => v2_load_balancers(&request.region, &["web"], Some("A")),
                _ => v2_load_balancers(&request.region, &["api"], Some("A")),
            },
            // Two pages that list the same load balancer (no loop): listed once.
            ("twice", false, "DescribeLoadBalancers") => match marker {
                None => v2_load_balancers(&request.region, &["web"], Some("A")),
                _ => v2_load_balancers(&request.region, &["web", "api"], None),
            },
            _ => healthy(request),
        }
    });
    let regions: Vec<String> = ["loop", "again", "twice"]
        .iter()
        .map(|k| fault_region(k, 1))
        .collect();
    let started = Instant::now();
    let (out, doc) = inventory_json(&stub, &regions);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    for region in &regions[..2] {
        let failures = failures_in(&doc, region);
        assert_eq!(failures.len(), 1, "{region}: {failures:?}");
        let (reason, message) = failures[0];
        assert_eq!(reason, "invalid-response", "{message}");
        assert_readable(message);
        assert!(
            message.contains("marker `A`") && message.contains("again"),
            "{message}"
        );
    }
    for region in &regions {
        assert_eq!(
            load_balancers_in(&doc, region),
            ["api", "legacy", "web"],
            "{region}: each load balancer once"
        );
        assert_eq!(listeners_in(&doc, region).len(), 6, "{region}");
    }
    assert!(failures_in(&doc, "tv-twice-1").is_empty());
}

#[test]
fn a_hanging_endpoint_is_bounded_by_api_timeout_and_said_plainly() {
    let stub = AwsStub::start(|request| {
        if fault_of(request).is_some()
            && !request.is_classic()
            && request.action() == "DescribeLoadBalancers"
        {
            std::thread::sleep(Duration::from_secs(60));
        }
        healthy(request)
    });
    let started = Instant::now();
    let out = elbtls(
        &[
            "inventory",
            "--region",
            "tv-hang-1",
            "--api-timeout",
            "1",
            "--format",
            "json",
        ],
        &[
            ("ELBTLS_EXTRA_REGIONS", "tv-hang-1"),
            ("AWS_ENDPOINT_URL", &stub.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(took < Duration::from_secs(15), "{took:?}");
    let doc = json(&out);
    let failures = failures_in(&doc, "tv-hang-1");
    assert_eq!(failures.len(), 1, "{failures:?}");
    let (reason, message) = failures[0];
    assert_eq!(reason, "unreachable");
    assert_readable(message);
    assert!(message.contains("no answer within 1 s"), "{message}");
    assert!(message.contains("--api-timeout"), "{message}");
    assert_eq!(load_balancers_in(&doc, "tv-hang-1"), ["legacy"]);

    // The flag is checked like the others.
    let bad = elbtls_at(&stub.endpoint(), &["inventory", "--api-timeout", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--api-timeout 0"), "{}", stderr(&bad));
}

#[test]
fn a_failing_credential_process_is_named_once() {
    let stub = AwsStub::start(healthy);
    let dir = std::env::temp_dir().join(format!("elbtls-faults-creds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[default]\nregion = eu-west-1\ncredential_process = sh -c \"echo 'sso session expired: run corp-login' >&2; exit 1\"\n",
    )
    .unwrap();
    let out = elbtls(
        &["inventory"],
        &[
            ("AWS_ENDPOINT_URL", &stub.endpoint()),
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert_eq!(
        text.matches("sso session expired: run corp-login").count(),
        1,
        "{text}"
    );
    assert!(text.contains("credential_process"), "{text}");
    assert!(text.contains("exit"), "names how it failed: {text}");
    assert_readable(text.trim_end());
    assert!(stub.requests().is_empty(), "no call without credentials");
}

#[test]
fn audit_filters_that_match_nothing_say_so_and_exit_3() {
    let stub = AwsStub::start(healthy);
    let out = elbtls_at(
        &stub.endpoint(),
        &[
            "audit",
            "--region",
            "eu-west-1",
            "--no-probe",
            "--name",
            "wbe-*",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc = json(&out);
    let failures = doc["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    let message = failures[0]["message"].as_str().unwrap();
    assert!(message.contains("--name wbe-*"), "{message}");
    assert!(message.contains("3 load balancers"), "{message}");
    assert!(stderr(&out).contains("--name wbe-*"), "{}", stderr(&out));

    // The table says it too.
    let table = elbtls_at(
        &stub.endpoint(),
        &[
            "audit",
            "--region",
            "eu-west-1",
            "--no-probe",
            "--name",
            "wbe-*",
        ],
    );
    assert_eq!(table.status.code(), Some(3));
    assert!(
        stdout(&table).contains("no load balancer matched"),
        "{}",
        stdout(&table)
    );

    // A filter that matches runs as before.
    let matched = elbtls_at(
        &stub.endpoint(),
        &[
            "audit",
            "--region",
            "eu-west-1",
            "--no-probe",
            "--name",
            "web",
            "--format",
            "json",
        ],
    );
    assert_ne!(matched.status.code(), Some(2), "{}", stderr(&matched));
    assert!(json(&matched)["failures"].as_array().unwrap().is_empty());
}

#[test]
fn an_arn_that_is_not_an_arn_is_a_usage_error() {
    for bad in [
        "notanarn",
        "arn:aws:s3:::bucket",
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1",
    ] {
        let out = elbtls(&["audit", "--no-probe", "--arn", bad], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        let text = stderr(&out);
        assert!(text.contains(&format!("--arn `{bad}`")), "{text}");
        assert!(text.contains("arn:aws:elasticloadbalancing:"), "{text}");
    }
}
