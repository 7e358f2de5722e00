//! `elbtls inventory` and `elbtls policies check-api` against a real AWS API server on loopback:
//! `moto_server`, started once for this test binary by `support::moto` and reset between tests.
//! What moto cannot produce is in `aws_recorded.rs`. Only 127.0.0.1 is ever contacted.

use crate::support::moto::{self, csv_rows, elbtls, elbtls_at, json, listener, stderr, stdout};
use serde_json::Value;

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
        // moto returns a Gateway listener without Port or Protocol (AWS: 6081, GENEVE).
        format!("{a},us-east-1,gwlb-inspect,gateway,unknown,0,,,,0,n/a,"),
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
    // 428 ELBv2 calls at --api-rate 50: a burst of 200, then 50 a second (at least 4.56 s).
    let started = std::time::Instant::now();
    let out = elbtls_at(
        &moto.endpoint(),
        &["inventory", "--region", "eu-west-1", "--api-rate", "50"],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        took >= std::time::Duration::from_millis(4500),
        "428 ELBv2 calls at 50 a second after a burst of 200 took only {took:?}"
    );
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
        12,
        "the 12 us-east-1 listeners of the standard fixture"
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

/// `--organization`: every active account of the organization, read through
/// OrganizationAccountAccessRole (or `--role-name`), the management account with its own
/// credentials, the closed one skipped and said; every account that cannot be read is a named
/// failure.
#[test]
fn reads_every_active_account_of_the_organization() {
    let moto = moto::fresh();
    moto.fixture(&["standard"]);
    let made = moto.fixture(&["organization"]);
    let member = made["active"][0].as_str().unwrap();
    let closed = made["closed"].as_str().unwrap();
    let out = elbtls_at(
        &moto.endpoint(),
        &["inventory", "--organization", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts: std::collections::BTreeSet<&str> = doc["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|lb| lb["account"].as_str().unwrap())
        .collect();
    assert!(accounts.contains("123456789012"), "{accounts:?}");
    assert!(accounts.contains(member), "{accounts:?}");
    assert!(!accounts.contains(closed));
    let notes = doc["notes"].to_string();
    assert!(notes.contains("3 active accounts"), "{notes}");
    assert!(notes.contains(&format!("{closed} (suspended)")), "{notes}");

    // A caller that is not the management account cannot list it: one clear error.
    let denied = elbtls_at(
        &moto.endpoint(),
        &[
            "inventory",
            "--organization",
            "--role-arn",
            "arn:aws:iam::1:role/x",
        ],
    );
    assert_eq!(denied.status.code(), Some(2));
    assert!(
        stderr(&denied).contains("--role-arn"),
        "{}",
        stderr(&denied)
    );
    let bad = elbtls_at(
        &moto.endpoint(),
        &["inventory", "--organization", "--role-name", "no spaces"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("not an IAM role name"),
        "{}",
        stderr(&bad)
    );
}
