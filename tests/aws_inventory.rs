//! `elbtls inventory` and `elbtls policies check-api` against a real AWS API server on loopback
//! (`moto_server`, started by `support::moto`), and against recorded AWS-shaped responses
//! (`support::aws_stub`) for what moto cannot produce. Only 127.0.0.1 is ever contacted.

mod support;

use serde_json::Value;
use support::aws_stub::{AwsStub, Request, Response, query_error, query_ok};
use support::moto::{self, elbtls, elbtls_at};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// CSV rows without the two ARN columns (moto makes them up at random).
fn csv_rows(output: &std::process::Output) -> Vec<String> {
    stdout(output)
        .lines()
        .skip(1)
        .map(|line| line.split(',').take(12).collect::<Vec<_>>().join(","))
        .collect()
}

fn json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(output), stderr(output)))
}

fn listener<'a>(doc: &'a Value, lb: &str, port: u64) -> &'a Value {
    doc["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == lb)
        .unwrap_or_else(|| panic!("no load balancer {lb}"))["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["port"] == port)
        .unwrap_or_else(|| panic!("no listener {lb}:{port}"))
}

#[test]
fn inventories_every_alb_nlb_and_classic_listener_with_its_policy() {
    let moto = moto::fresh();
    moto.fixture(&["standard"]);
    let out = elbtls_at(
        &moto.endpoint(),
        &[
            "inventory",
            "--region",
            "us-east-1",
            "--region",
            "us-west-2",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().next().unwrap(),
        "account,region,load_balancer,type,scheme,port,protocol,policy,detail,certificates,\
         policy_status,redirects_to_https,load_balancer_arn,listener_arn"
    );
    let a = "123456789012";
    let expected = [
        // HTTP listener: moto's bogus SslPolicy ignored, the redirect noted.
        format!("{a},us-east-1,alb-web,application,unknown,80,HTTP,,redirects to HTTPS,0,n/a,true"),
        // Default + SNI certificate (DescribeListenerCertificates).
        format!(
            "{a},us-east-1,alb-web,application,unknown,443,HTTPS,ELBSecurityPolicy-TLS13-1-2-2021-06,,2,known,"
        ),
        format!(
            "{a},us-east-1,alb-web,application,unknown,8443,HTTPS,ELBSecurityPolicy-Bogus-2099-01,policy-unknown,1,policy-unknown,"
        ),
        format!("{a},us-east-1,nlb-tls,network,unknown,22,TCP,,,0,n/a,"),
        format!(
            "{a},us-east-1,nlb-tls,network,unknown,443,TLS,ELBSecurityPolicy-TLS13-1-3-2021-06,,1,known,"
        ),
        format!(
            "{a},us-east-1,clb-badref,classic,internet-facing,443,HTTPS,future-pol,\"reference ELBSecurityPolicy-TLS-1-3-2099-01, policy-unknown\",1,policy-unknown,"
        ),
        format!("{a},us-east-1,clb-custom,classic,internet-facing,80,HTTP,,,0,n/a,"),
        format!(
            "{a},us-east-1,clb-custom,classic,internet-facing,443,SSL,custom-pol,custom,1,known,"
        ),
        format!(
            "{a},us-east-1,clb-default,classic,internet-facing,443,HTTPS,ELBSecurityPolicy-2016-08,default (no policy attached),1,known,"
        ),
        format!(
            "{a},us-east-1,clb-predef,classic,internet-facing,443,HTTPS,ELBSecurityPolicy-TLS-1-2-2017-01,predefined,1,known,"
        ),
        format!(
            "{a},us-east-1,clb-ref,classic,internet-facing,443,HTTPS,ref-pol,reference ELBSecurityPolicy-TLS-1-1-2017-01,1,known,"
        ),
        format!(
            "{a},us-west-2,alb-west,application,unknown,443,HTTPS,ELBSecurityPolicy-2016-08,,1,known,"
        ),
    ];
    // The quoted detail contains a comma: compare whole lines for that row.
    let rows: Vec<String> = stdout(&out)
        .lines()
        .skip(1)
        .map(|line| line.rsplitn(3, ',').nth(2).unwrap().to_string())
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn json_carries_schema_certificates_tags_alpn_and_classic_attributes() {
    let moto = moto::fresh();
    let made = moto.fixture(&["standard"]);
    let out = elbtls_at(&moto.endpoint(), &["inventory", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["failures"], Value::Array(vec![]));
    assert_eq!(
        doc["scopes"][0]["region"], "us-east-1",
        "AWS_REGION is the default"
    );

    let https = listener(&doc, "alb-web", 443);
    let certs = https["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["arn"], made["certificates"][0]);
    assert_eq!(certs[0]["default"], true);
    assert_eq!(certs[1]["arn"], made["certificates"][1]);
    assert_eq!(certs[1]["default"], false);
    assert_eq!(certs[1]["source"], "acm");
    assert_eq!(
        https["policy"]["protocols"],
        serde_json::json!(["TLSv1.2", "TLSv1.3"])
    );
    assert_eq!(https["policy"]["cipher_count"], 11);

    let http = listener(&doc, "alb-web", 80);
    assert_eq!(http["policy"]["declared"]["kind"], "none");
    assert_eq!(http["redirects_to_https"], true);

    let tls = listener(&doc, "nlb-tls", 443);
    assert_eq!(tls["alpn_policy"], serde_json::json!(["HTTP2Preferred"]));
    let alb = doc["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "alb-web")
        .unwrap();
    assert_eq!(alb["type"], "application");
    assert_eq!(alb["scheme"], "unknown", "moto returns no Scheme");
    assert_eq!(alb["tags"]["team"], "web");
    let nlb = doc["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "nlb-tls")
        .unwrap();
    assert_eq!(
        nlb["type"], "network",
        "from Type, although moto's ARN says app/"
    );

    let custom = listener(&doc, "clb-custom", 443);
    assert_eq!(custom["policy"]["declared"]["kind"], "classic-attributes");
    assert_eq!(
        custom["policy"]["declared"]["attributes"][0]["name"],
        "Protocol-TLSv1.2"
    );
    assert_eq!(
        custom["policy"]["protocols"],
        serde_json::json!(["TLSv1.2"])
    );
    assert_eq!(custom["policy"]["cipher_count"], 2);
    let clb = doc["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "clb-custom")
        .unwrap();
    assert_eq!(clb["tags"]["team"], "legacy");

    let default = listener(&doc, "clb-default", 443);
    assert_eq!(default["policy"]["declared"]["kind"], "classic-default");
    assert_eq!(default["policy"]["name"], "ELBSecurityPolicy-2016-08");
    let bogus = listener(&doc, "alb-web", 8443);
    assert_eq!(bogus["policy"]["status"], "policy-unknown");
    assert!(
        bogus["policy"]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown policy")
    );
}

#[test]
fn reads_more_load_balancers_than_one_page() {
    let moto = moto::fresh();
    moto.fixture(&["many", "405", "eu-west-1"]);
    let before = moto.api_calls();
    let out = elbtls_at(&moto.endpoint(), &["inventory", "--region", "eu-west-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 listeners (0 with TLS) on 405 load balancers"),
        "{}",
        stdout(&out)
    );
    // STS + 2 ELBv2 pages (400 a page) + 21 DescribeTags (20 ARNs each) + 405 DescribeListeners
    // + 1 Classic DescribeLoadBalancers.
    assert_eq!(moto.api_calls() - before, 1 + 2 + 21 + 405 + 1);
}

#[test]
fn assumes_roles_into_other_accounts() {
    let moto = moto::fresh();
    moto.fixture(&["standard"]);
    moto.fixture(&["other-account", "arn:aws:iam::111111111111:role/audit"]);
    let dir = std::env::temp_dir().join(format!("elbtls-accounts-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("accounts.toml");
    std::fs::write(
        &file,
        "[[account]]\nrole_arn = \"arn:aws:iam::123456789012:role/audit\"\nexternal_id = \"e-1\"\n",
    )
    .unwrap();
    let out = elbtls_at(
        &moto.endpoint(),
        &[
            "inventory",
            "--role-arn",
            "arn:aws:iam::111111111111:role/audit",
            "--accounts-file",
            file.to_str().unwrap(),
            "--format",
            "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = csv_rows(&out);
    assert_eq!(
        rows[0],
        "111111111111,us-east-1,alb-other,application,unknown,443,HTTPS,\
         ELBSecurityPolicy-TLS13-1-2-Res-2021-06,,1,known,"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.starts_with("123456789012,"))
            .count(),
        11
    );
}

#[test]
fn missing_credentials_give_one_clear_message() {
    let out = elbtls(&["inventory", "--region", "us-east-1"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: no AWS credentials found"), "{err}");
    assert!(
        err.contains("AWS_ACCESS_KEY_ID") && err.contains("--profile"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn an_unreachable_endpoint_is_recorded_and_never_shows_credentials() {
    let closed = format!("http://127.0.0.1:{}", moto::free_port());
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETKEY";
    let out = elbtls(
        &["inventory", "--region", "us-east-1", "--format", "json"],
        &[
            ("AWS_ENDPOINT_URL", &closed),
            ("AWS_ACCESS_KEY_ID", "AKIAZZZZZZZZSECRETID"),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_SESSION_TOKEN", "SESSIONTOKENSECRET"),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["complete"], false);
    assert_eq!(doc["failures"][0]["reason"], "unreachable");
    assert_eq!(
        doc["failures"][0]["region"],
        Value::Null,
        "the whole account"
    );
    let everything = format!("{}{}", stdout(&out), stderr(&out));
    for needle in [secret, "AKIAZZZZZZZZSECRETID", "SESSIONTOKENSECRET"] {
        assert!(
            !everything.contains(needle),
            "{needle} leaked: {everything}"
        );
    }
}

#[test]
fn check_api_compares_moto_describe_ssl_policies_with_the_catalogue() {
    let moto = moto::fresh();
    let out = elbtls_at(
        &moto.endpoint(),
        &[
            "policies",
            "check-api",
            "--region",
            "eu-west-1",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["region"], "eu-west-1");
    let matching = doc["elbv2"]["matching"].as_array().unwrap();
    assert!(matching.contains(&Value::from("ELBSecurityPolicy-TLS13-1-2-2021-06")));
    // moto's copy of Ext1-PQ has the Ext2 cipher list (shared/reference/elb-policies.md).
    let ext1_pq = doc["elbv2"]["differing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09")
        .expect("Ext1-PQ differs");
    assert!(
        ext1_pq["ciphers_only_in_api"]
            .as_array()
            .unwrap()
            .contains(&Value::from("AES128-SHA"))
    );
    let extra = doc["elbv2"]["extra_in_catalogue"].as_array().unwrap();
    assert!(extra.contains(&Value::from("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04")));
    // moto answers DescribeLoadBalancerPolicies without a name with LoadBalancerNotFound.
    assert_eq!(doc["classic"]["available"], false);
    assert!(
        doc["classic"]["reason"]
            .as_str()
            .unwrap()
            .contains("LoadBalancerNotFound")
    );
}

// ---- Recorded AWS responses, for what moto cannot produce ----------------------------------

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
