//! `elbtls inventory` and `elbtls policies check-api` against recorded, AWS-shaped responses
//! served by `support::aws_stub` on loopback, for what moto cannot produce: Classic predefined
//! policies, `Scheme`, mutual TLS, AccessDenied, Throttling, 5xx, opt-in regions, expired
//! credentials, account:ListRegions. Each response says which AWS behaviour it stands for.

use crate::support::aws_stub::{AwsStub, Request, Response, query_error, query_ok};
use crate::support::moto::{elbtls, elbtls_at, json, listener, stderr, stdout};

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

/// A region as real AWS answers it: an internal ALB with a mutual-TLS HTTPS listener (moto never
/// returns Scheme or MutualAuthentication), and a Classic load balancer whose listener carries the
/// copy of ELBSecurityPolicy-2016-08 that AWS attaches by default, with expanded attributes.
fn healthy_region(request: &Request) -> Response {
    let region = &request.region;
    match (request.is_classic(), request.action()) {
        (false, "DescribeLoadBalancers") => query_ok(
            "DescribeLoadBalancers",
            V2_NS,
            &format!(
                "<LoadBalancers><member>\
             <LoadBalancerArn>arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/app/internal-api/50dc6c495c0c9188</LoadBalancerArn>\
             <Scheme>internal</Scheme><LoadBalancerName>internal-api</LoadBalancerName>\
             <VpcId>vpc-3ac0fb5f</VpcId><DNSName>internal-internal-api-1.{region}.elb.amazonaws.com</DNSName>\
             <State><Code>active</Code></State><Type>application</Type>\
             </member></LoadBalancers>"
            ),
        ),
        (false, "DescribeTags") => query_ok("DescribeTags", V2_NS, "<TagDescriptions/>"),
        (false, "DescribeListeners") => query_ok(
            "DescribeListeners",
            V2_NS,
            &format!(
                "<Listeners><member>\
             <ListenerArn>arn:aws:elasticloadbalancing:{region}:123456789012:listener/app/internal-api/50dc6c495c0c9188/f2f7dc8efc522ab2</ListenerArn>\
             <Port>443</Port><Protocol>HTTPS</Protocol>\
             <SslPolicy>ELBSecurityPolicy-TLS13-1-2-Res-2021-06</SslPolicy>\
             <Certificates><member><CertificateArn>arn:aws:iam::123456789012:server-certificate/api</CertificateArn></member></Certificates>\
             <MutualAuthentication><Mode>verify</Mode></MutualAuthentication>\
             <DefaultActions><member><Type>fixed-response</Type></member></DefaultActions>\
             </member></Listeners>"
            ),
        ),
        (false, "DescribeListenerCertificates") => query_ok(
            "DescribeListenerCertificates",
            V2_NS,
            "<Certificates><member><CertificateArn>arn:aws:iam::123456789012:server-certificate/api</CertificateArn>\
             <IsDefault>true</IsDefault></member></Certificates>",
        ),
        (true, "DescribeLoadBalancers") => query_ok(
            "DescribeLoadBalancers",
            CLASSIC_NS,
            "<LoadBalancerDescriptions><member>\
             <LoadBalancerName>legacy</LoadBalancerName><Scheme>internal</Scheme>\
             <DNSName>internal-legacy-1.elb.amazonaws.com</DNSName><VPCId>vpc-3ac0fb5f</VPCId>\
             <ListenerDescriptions><member>\
             <Listener><Protocol>HTTPS</Protocol><LoadBalancerPort>443</LoadBalancerPort>\
             <InstanceProtocol>HTTP</InstanceProtocol><InstancePort>80</InstancePort>\
             <SSLCertificateId>arn:aws:iam::123456789012:server-certificate/legacy</SSLCertificateId></Listener>\
             <PolicyNames><member>ELBSecurityPolicy-2016-08</member></PolicyNames>\
             </member></ListenerDescriptions>\
             </member></LoadBalancerDescriptions>",
        ),
        (true, "DescribeTags") => query_ok("DescribeTags", CLASSIC_NS, "<TagDescriptions/>"),
        (true, "DescribeLoadBalancerPolicies") => query_ok(
            "DescribeLoadBalancerPolicies",
            CLASSIC_NS,
            "<PolicyDescriptions><member>\
             <PolicyName>ELBSecurityPolicy-2016-08</PolicyName><PolicyTypeName>SSLNegotiationPolicyType</PolicyTypeName>\
             <PolicyAttributeDescriptions>\
             <member><AttributeName>Reference-Security-Policy</AttributeName><AttributeValue>ELBSecurityPolicy-2016-08</AttributeValue></member>\
             <member><AttributeName>Protocol-TLSv1</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>Protocol-SSLv3</AttributeName><AttributeValue>false</AttributeValue></member>\
             <member><AttributeName>Protocol-TLSv1.1</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>Protocol-TLSv1.2</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>Server-Defined-Cipher-Order</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>ECDHE-ECDSA-AES128-GCM-SHA256</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>ECDHE-RSA-AES128-GCM-SHA256</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>DES-CBC3-SHA</AttributeName><AttributeValue>false</AttributeValue></member>\
             </PolicyAttributeDescriptions></member></PolicyDescriptions>",
        ),
        (_, action) => query_error(400, "InvalidAction", &format!("stub has no {action}")),
    }
}

#[test]
fn recorded_responses_scheme_access_denied_throttling_and_all_regions() {
    let stub = AwsStub::start(|request| {
        if request.service == "sts" {
            return caller_identity();
        }
        if request.service == "account" {
            // account:ListRegions (restJson1): two enabled regions.
            return (
                200,
                "application/json",
                r#"{"Regions":[
                {"RegionName":"eu-west-1","RegionOptStatus":"ENABLED_BY_DEFAULT"},
                {"RegionName":"af-south-1","RegionOptStatus":"ENABLED"}]}"#
                    .to_string(),
            );
        }
        match (request.region.as_str(), request.is_classic()) {
            ("eu-west-1", _) => healthy_region(request),
            // What AWS says to a principal without elasticloadbalancing:Describe* …
            ("af-south-1", false) => query_error(
                403,
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: \
                 elasticloadbalancing:DescribeLoadBalancers",
            ),
            // … and when the account's request rate is exceeded (retries are off in tests).
            _ => query_error(400, "Throttling", "Rate exceeded"),
        }
    });
    let out = elbtls_at(
        &stub.endpoint(),
        &["inventory", "--all-regions", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["complete"], false);
    let regions: Vec<&str> = doc["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["af-south-1", "eu-west-1"]);

    let failures = doc["failures"].as_array().unwrap();
    let reasons: Vec<(&str, &str)> = failures
        .iter()
        .map(|f| (f["region"].as_str().unwrap(), f["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [("af-south-1", "access-denied"), ("af-south-1", "throttled")]
    );
    assert!(
        failures[0]["message"]
            .as_str()
            .unwrap()
            .contains("not authorized")
    );

    let api = listener(&doc, "internal-api", 443);
    assert_eq!(api["mutual_tls"], "verify");
    assert_eq!(api["certificates"][0]["source"], "iam");
    let lbs = doc["load_balancers"].as_array().unwrap();
    assert!(lbs.iter().all(|lb| lb["scheme"] == "internal"));
    let legacy = listener(&doc, "legacy", 443);
    assert_eq!(legacy["policy"]["name"], "ELBSecurityPolicy-2016-08");
    assert_eq!(legacy["policy"]["detail"], "predefined");
    assert_eq!(
        legacy["policy"]["protocols"],
        serde_json::json!(["TLSv1", "TLSv1.1", "TLSv1.2"])
    );

    // The table says the same, and names what is missing.
    let table = elbtls_at(&stub.endpoint(), &["inventory", "--all-regions"]);
    assert_eq!(table.status.code(), Some(3));
    let text = stdout(&table);
    assert!(
        text.contains("INCOMPLETE: 2 part(s) could not be read"),
        "{text}"
    );
    assert!(
        text.contains(
            "123456789012 af-south-1: access-denied: DescribeLoadBalancers (elbv2): AccessDenied"
        ),
        "{text}"
    );
}

/// A `DescribeSSLPolicies` member built from the catalogue's own view of `name`, optionally with
/// its first two ciphers swapped.
fn ssl_policy_member(name: &str, swap: bool) -> String {
    let shown = elbtls(&["policies", "show", name, "--format", "json"], &[]);
    let policy = &json(&shown)["policy"];
    let mut ciphers: Vec<String> = policy["ciphers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    if swap {
        ciphers.swap(0, 1);
    }
    let protocols: String = policy["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("<member>{}</member>", p.as_str().unwrap()))
        .collect();
    let ciphers: String = ciphers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "<member><Name>{c}</Name><Priority>{}</Priority></member>",
                i + 1
            )
        })
        .collect();
    format!(
        "<member><Name>{name}</Name><SslProtocols>{protocols}</SslProtocols><Ciphers>{ciphers}</Ciphers>\
             <SupportedLoadBalancerTypes><member>application</member><member>network</member></SupportedLoadBalancerTypes></member>"
    )
}

#[test]
fn check_api_pages_describe_ssl_policies_and_compares_classic_predefined_policies() {
    let page1 = ssl_policy_member("ELBSecurityPolicy-TLS13-1-2-2021-06", false);
    let page2 = format!(
        "{}<member><Name>ELBSecurityPolicy-TLS13-1-3-2099-01</Name><SslProtocols><member>TLSv1.3</member></SslProtocols>\
         <Ciphers><member><Name>TLS_AES_128_GCM_SHA256</Name><Priority>1</Priority></member></Ciphers></member>",
        ssl_policy_member("ELBSecurityPolicy-TLS-1-2-2017-01", true)
    );
    let stub = AwsStub::start(
        move |request| match (request.is_classic(), request.action()) {
            (false, "DescribeSSLPolicies") => match request.form.get("Marker") {
                None => query_ok(
                    "DescribeSSLPolicies",
                    V2_NS,
                    &format!("<SslPolicies>{page1}</SslPolicies><NextMarker>page-2</NextMarker>"),
                ),
                Some(_) => query_ok(
                    "DescribeSSLPolicies",
                    V2_NS,
                    &format!("<SslPolicies>{page2}</SslPolicies>"),
                ),
            },
            // Real AWS lists the predefined Classic policies when no load balancer is named.
            (true, "DescribeLoadBalancerPolicies") => query_ok(
                "DescribeLoadBalancerPolicies",
                CLASSIC_NS,
                "<PolicyDescriptions><member>\
             <PolicyName>ELBSecurityPolicy-TLS-1-2-2017-01</PolicyName><PolicyTypeName>SSLNegotiationPolicyType</PolicyTypeName>\
             <PolicyAttributeDescriptions>\
             <member><AttributeName>Protocol-TLSv1.2</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>Server-Defined-Cipher-Order</AttributeName><AttributeValue>true</AttributeValue></member>\
             <member><AttributeName>ECDHE-ECDSA-AES128-GCM-SHA256</AttributeName><AttributeValue>true</AttributeValue></member>\
             </PolicyAttributeDescriptions></member>\
             <member><PolicyName>ELBSample-Future</PolicyName><PolicyTypeName>SSLNegotiationPolicyType</PolicyTypeName>\
             <PolicyAttributeDescriptions><member><AttributeName>Protocol-TLSv1.2</AttributeName><AttributeValue>true</AttributeValue></member>\
             </PolicyAttributeDescriptions></member></PolicyDescriptions>",
            ),
            (_, "GetCallerIdentity") => caller_identity(),
            (_, action) => query_error(400, "InvalidAction", &format!("stub has no {action}")),
        },
    );
    let out = elbtls_at(
        &stub.endpoint(),
        &["policies", "check-api", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(
        doc["elbv2"]["matching"],
        serde_json::json!(["ELBSecurityPolicy-TLS13-1-2-2021-06"])
    );
    assert_eq!(
        doc["elbv2"]["missing_from_catalogue"],
        serde_json::json!(["ELBSecurityPolicy-TLS13-1-3-2099-01"])
    );
    assert_eq!(
        doc["elbv2"]["differing"][0]["name"],
        "ELBSecurityPolicy-TLS-1-2-2017-01"
    );
    assert_eq!(doc["elbv2"]["differing"][0]["order_differs"], true);
    assert_eq!(doc["agrees"], false);
    let classic = &doc["classic"];
    assert_eq!(classic["available"], true);
    assert_eq!(
        classic["missing_from_catalogue"],
        serde_json::json!(["ELBSample-Future"])
    );
    let differing = &classic["differing"][0];
    assert_eq!(differing["name"], "ELBSecurityPolicy-TLS-1-2-2017-01");
    assert!(
        !differing["ciphers_only_in_catalogue"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let markers: Vec<Option<String>> = stub
        .requests()
        .iter()
        .filter(|r| r.action() == "DescribeSSLPolicies")
        .map(|r| r.form.get("Marker").cloned())
        .collect();
    assert_eq!(markers, [None, Some("page-2".to_string())]);
}

#[test]
fn retries_throttling_and_5xx_and_names_opt_in_and_expired_credential_failures() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let throttled = AtomicUsize::new(0);
    let unavailable = AtomicUsize::new(0);
    let stub = AwsStub::start(move |request| {
        if request.service == "sts" {
            return caller_identity();
        }
        if request.region == "me-south-1" {
            // What AWS answers in an opt-in region the account has not enabled.
            return query_error(
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            );
        }
        match (request.is_classic(), request.action()) {
            // One throttled answer, then the real one: the SDK's retry must absorb it.
            (false, "DescribeLoadBalancers") if throttled.fetch_add(1, Ordering::SeqCst) == 0 => {
                query_error(400, "Throttling", "Rate exceeded")
            }
            (true, "DescribeLoadBalancers") if unavailable.fetch_add(1, Ordering::SeqCst) == 0 => {
                query_error(503, "ServiceUnavailable", "Service is unavailable")
            }
            _ => healthy_region(request),
        }
    });
    let out = elbtls(
        &[
            "inventory",
            "--region",
            "eu-west-1,me-south-1",
            "--format",
            "json",
        ],
        &[
            ("AWS_ENDPOINT_URL", &stub.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_MAX_ATTEMPTS", "3"),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc = json(&out);
    let failures = doc["failures"].as_array().unwrap();
    assert!(
        failures
            .iter()
            .all(|f| f["region"] == "me-south-1" && f["reason"] == "region-not-enabled"),
        "{failures:?}"
    );
    assert_eq!(failures.len(), 2, "ELBv2 and Classic");
    assert_eq!(
        doc["load_balancers"].as_array().unwrap().len(),
        2,
        "eu-west-1 read after retries"
    );
    let v2_lists = stub
        .requests()
        .iter()
        .filter(|r| {
            r.region == "eu-west-1" && !r.is_classic() && r.action() == "DescribeLoadBalancers"
        })
        .count();
    assert_eq!(v2_lists, 2, "one throttled attempt, one retry");

    // Expired credentials: the whole account fails once, with its reason.
    let expired = AwsStub::start(|_| {
        query_error(
            403,
            "ExpiredToken",
            "The security token included in the request is expired",
        )
    });
    let out = elbtls_at(&expired.endpoint(), &["inventory", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["failures"][0]["reason"], "invalid-credentials");
    assert_eq!(doc["failures"][0]["account"], "caller");
    assert_eq!(doc["failures"].as_array().unwrap().len(), 1);
}
