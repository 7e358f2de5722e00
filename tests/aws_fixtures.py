#!/usr/bin/env python3
"""Sets up AWS fixtures in a moto_server for tests/aws_inventory.rs and bench/inventory.sh.

Usage: aws_fixtures.py ENDPOINT standard        the account the integration tests assert on
       aws_fixtures.py ENDPOINT bulk N R1,R2,.. [PORT]  N load balancers over the regions (TLS on PORT)
       aws_fixtures.py ENDPOINT many N REGION   N bare ALBs (more than one DescribeLoadBalancers page)
       aws_fixtures.py ENDPOINT other-account ROLE_ARN   one ALB in the role's account
       aws_fixtures.py ENDPOINT audit PORT       the account tests/audit_e2e.rs audits
       aws_fixtures.py ENDPOINT negotiation-errors  ALBs/NLB with CloudWatch TLS error counts
       aws_fixtures.py ENDPOINT securityhub-findings REGION  every finding Security Hub holds there
       aws_fixtures.py ENDPOINT securityhub-foreign REGION   one finding of another product there
       aws_fixtures.py ENDPOINT delete-lb REGION NAME        deletes an ELBv2 load balancer
       aws_fixtures.py ENDPOINT org-bulk A R1,R2,.. N PORT [WORKERS]  an organization of A accounts,
                                                 N load balancers in each region of each (bench)

Talks only to ENDPOINT (a loopback moto_server). Prints one JSON object describing what it made.
"""

import concurrent.futures
import datetime
import json
import sys

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

CREDS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


def client(endpoint, service, region, creds=None):
    return boto3.client(service, region_name=region, endpoint_url=endpoint, **(creds or CREDS))


def self_signed(common_name, key_kind):
    if key_kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1000)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
    )


def import_cert(endpoint, region, common_name, key_kind, creds=None):
    body, key = self_signed(common_name, key_kind)
    acm = client(endpoint, "acm", region, creds)
    return acm.import_certificate(Certificate=body, PrivateKey=key)["CertificateArn"]


def network(endpoint, region, creds=None):
    ec2 = client(endpoint, "ec2", region, creds)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    return vpc, subnets


def target_group(elbv2, vpc, name, protocol, port):
    return elbv2.create_target_group(Name=name, Protocol=protocol, Port=port, VpcId=vpc)[
        "TargetGroups"
    ][0]["TargetGroupArn"]


def forward(tg):
    return [{"Type": "forward", "TargetGroupArn": tg}]


def classic_listener(protocol, port, cert=None):
    listener = {
        "Protocol": protocol,
        "LoadBalancerPort": port,
        "InstanceProtocol": "HTTP" if protocol in ("HTTP", "HTTPS") else "TCP",
        "InstancePort": 8080,
    }
    if cert:
        listener["SSLCertificateId"] = cert
    return listener


def standard(endpoint):
    """The account tests/aws_inventory.rs asserts on, row by row."""
    made = {}
    region = "us-east-1"
    vpc, subnets = network(endpoint, region)
    rsa_cert = import_cert(endpoint, region, "web.example.test", "rsa")
    ec_cert = import_cert(endpoint, region, "api.example.test", "ec")
    made["certificates"] = [rsa_cert, ec_cert]
    elbv2 = client(endpoint, "elbv2", region)

    alb = elbv2.create_load_balancer(
        Name="alb-web", Subnets=subnets, Type="application", Tags=[{"Key": "team", "Value": "web"}]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = target_group(elbv2, vpc, "tg-web", "HTTP", 80)
    https = elbv2.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        Certificates=[{"CertificateArn": rsa_cert}],
        DefaultActions=forward(tg),
    )["Listeners"][0]["ListenerArn"]
    elbv2.add_listener_certificates(ListenerArn=https, Certificates=[{"CertificateArn": ec_cert}])
    elbv2.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        ],
    )
    # moto accepts a policy name AWS does not have; the inventory must keep it as policy-unknown.
    elbv2.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTPS",
        Port=8443,
        SslPolicy="ELBSecurityPolicy-Bogus-2099-01",
        Certificates=[{"CertificateArn": rsa_cert}],
        DefaultActions=forward(tg),
    )

    nlb = elbv2.create_load_balancer(Name="nlb-tls", Subnets=subnets, Type="network")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    tg_tcp = target_group(elbv2, vpc, "tg-tcp", "TCP", 443)
    elbv2.create_listener(
        LoadBalancerArn=nlb,
        Protocol="TLS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-3-2021-06",
        Certificates=[{"CertificateArn": ec_cert}],
        AlpnPolicy=["HTTP2Preferred"],
        DefaultActions=forward(tg_tcp),
    )
    elbv2.create_listener(LoadBalancerArn=nlb, Protocol="TCP", Port=22, DefaultActions=forward(tg_tcp))

    # A Gateway Load Balancer is listed, and never has a TLS policy.
    gwlb = elbv2.create_load_balancer(Name="gwlb-inspect", Subnets=subnets[:1], Type="gateway")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    tg_geneve = elbv2.create_target_group(
        Name="tg-geneve", Protocol="GENEVE", Port=6081, VpcId=vpc, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(LoadBalancerArn=gwlb, DefaultActions=forward(tg_geneve))

    elb = client(endpoint, "elb", region)
    zones = [f"{region}a"]
    # A predefined policy attached by name: no attributes come back, the catalogue resolves it.
    elb.create_load_balancer(
        LoadBalancerName="clb-predef", Listeners=[classic_listener("HTTPS", 443, rsa_cert)],
        AvailabilityZones=zones,
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="clb-predef", LoadBalancerPort=443,
        PolicyNames=["ELBSecurityPolicy-TLS-1-2-2017-01"],
    )
    elb.create_load_balancer(
        LoadBalancerName="clb-ref", Listeners=[classic_listener("HTTPS", 443, rsa_cert)],
        AvailabilityZones=zones,
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="clb-ref", PolicyName="ref-pol", PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[
            {"AttributeName": "Reference-Security-Policy",
             "AttributeValue": "ELBSecurityPolicy-TLS-1-1-2017-01"},
        ],
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="clb-ref", LoadBalancerPort=443, PolicyNames=["ref-pol"]
    )
    elb.create_load_balancer(
        LoadBalancerName="clb-custom",
        Listeners=[classic_listener("SSL", 443, rsa_cert), classic_listener("HTTP", 80)],
        AvailabilityZones=zones,
        Tags=[{"Key": "team", "Value": "legacy"}],
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="clb-custom", PolicyName="custom-pol",
        PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[
            {"AttributeName": name, "AttributeValue": value}
            for name, value in [
                ("Protocol-TLSv1.2", "true"),
                ("Protocol-TLSv1.1", "false"),
                ("Server-Defined-Cipher-Order", "true"),
                ("ECDHE-RSA-AES128-GCM-SHA256", "true"),
                ("ECDHE-RSA-AES256-GCM-SHA384", "true"),
                ("AES128-SHA", "false"),
            ]
        ],
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="clb-custom", LoadBalancerPort=443, PolicyNames=["custom-pol"]
    )
    # No policy attached: AWS treats the listener as ELBSecurityPolicy-2016-08.
    elb.create_load_balancer(
        LoadBalancerName="clb-default", Listeners=[classic_listener("HTTPS", 443, rsa_cert)],
        AvailabilityZones=zones,
    )
    elb.create_load_balancer(
        LoadBalancerName="clb-badref", Listeners=[classic_listener("HTTPS", 443, rsa_cert)],
        AvailabilityZones=zones,
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="clb-badref", PolicyName="future-pol",
        PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[
            {"AttributeName": "Reference-Security-Policy",
             "AttributeValue": "ELBSecurityPolicy-TLS-1-3-2099-01"},
        ],
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="clb-badref", LoadBalancerPort=443, PolicyNames=["future-pol"]
    )

    west = "us-west-2"
    _, west_subnets = network(endpoint, west)
    west_cert = import_cert(endpoint, west, "west.example.test", "rsa")
    elbv2_west = client(endpoint, "elbv2", west)
    alb_west = elbv2_west.create_load_balancer(Name="alb-west", Subnets=west_subnets)[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    elbv2_west.create_listener(
        LoadBalancerArn=alb_west,
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-2016-08",
        Certificates=[{"CertificateArn": west_cert}],
        DefaultActions=[{"Type": "fixed-response",
                         "FixedResponseConfig": {"StatusCode": "200"}}],
    )
    return made


def region_short(region):
    """`us-east-1` -> `ue1`."""
    return "".join(part[0] for part in region.split("-")[:-1]) + region.rsplit("-", 1)[1]


def bulk_region(endpoint, region, prefix, n, port, digits, creds=None):
    """`n` load balancers named `PREFIX-clb-NNN`/`PREFIX-alb-NNN` in `region`: every third a
    Classic HTTPS declaring TLS-1-2-2017-01 through a Reference-Security-Policy, the others ALBs
    with an HTTPS listener on TLS13-1-2-2021-06 and an HTTP redirect. Returns the listeners made."""
    vpc, subnets = network(endpoint, region, creds)
    cert = import_cert(endpoint, region, f"{prefix}.example.test", "rsa", creds)
    elbv2 = client(endpoint, "elbv2", region, creds)
    elb = client(endpoint, "elb", region, creds)
    tg = target_group(elbv2, vpc, "tg-bulk", "HTTP", 80)
    listeners = 0
    for i in range(n):
        if i % 3 == 2:
            name = f"{prefix}-clb-{i:0{digits}d}"
            elb.create_load_balancer(
                LoadBalancerName=name, Listeners=[classic_listener("HTTPS", port, cert)],
                AvailabilityZones=[f"{region}a"],
            )
            elb.create_load_balancer_policy(
                LoadBalancerName=name, PolicyName="pol", PolicyTypeName="SSLNegotiationPolicyType",
                PolicyAttributes=[{"AttributeName": "Reference-Security-Policy",
                                   "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"}],
            )
            elb.set_load_balancer_policies_of_listener(
                LoadBalancerName=name, LoadBalancerPort=port, PolicyNames=["pol"]
            )
            listeners += 1
            continue
        arn = elbv2.create_load_balancer(Name=f"{prefix}-alb-{i:0{digits}d}", Subnets=subnets)[
            "LoadBalancers"
        ][0]["LoadBalancerArn"]
        elbv2.create_listener(
            LoadBalancerArn=arn, Protocol="HTTPS", Port=port,
            SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
            Certificates=[{"CertificateArn": cert}], DefaultActions=forward(tg),
        )
        elbv2.create_listener(
            LoadBalancerArn=arn, Protocol="HTTP", Port=80,
            DefaultActions=[{"Type": "redirect", "RedirectConfig": {
                "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
        )
        listeners += 2
    return listeners


def bulk(endpoint, count, regions, port=443):
    """`count` load balancers spread evenly over `regions`: per region a third Classic HTTPS
    with a custom policy, the rest ALBs with an HTTPS listener and an HTTP redirect."""
    per_region = [count // len(regions) + (1 if i < count % len(regions) else 0)
                  for i in range(len(regions))]
    listeners = 0
    for region, n in zip(regions, per_region):
        # Names carry the region: moto (5.2.5) names every Classic load balancer
        # NAME.us-east-1.elb.amazonaws.com, so equal names in two regions would be one endpoint.
        listeners += bulk_region(endpoint, region, region_short(region), n, port, 4)
    return {"load_balancers": count, "listeners": listeners, "per_region": per_region}


def other_account(endpoint, role_arn):
    """One ALB in the account of `role_arn`, made with the role's credentials (moto keeps
    each account's resources apart, keyed by the access key AssumeRole returned)."""
    sts = client(endpoint, "sts", "us-east-1")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="fixtures")["Credentials"]
    creds = dict(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    region = "us-east-1"
    vpc, subnets = network(endpoint, region, creds)
    cert = import_cert(endpoint, region, "other.example.test", "rsa", creds)
    elbv2 = client(endpoint, "elbv2", region, creds)
    arn = elbv2.create_load_balancer(Name="alb-other", Subnets=subnets)["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    elbv2.create_listener(
        LoadBalancerArn=arn, Protocol="HTTPS", Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
    )
    return {"load_balancers": 1}


def audit(endpoint, port):
    """The account tests/audit_e2e.rs audits: every TLS listener on PORT, so the test can map each
    load balancer's DNS name to its own loopback address (127.0.0.N:PORT) with --resolve."""
    region = "us-east-1"
    vpc, subnets = network(endpoint, region)
    cert = import_cert(endpoint, region, "audit.example.test", "rsa")
    elbv2 = client(endpoint, "elbv2", region)
    made = {"dns": {}}

    def elbv2_lb(name, kind, protocol, policy, tags):
        lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, Type=kind, Tags=tags)[
            "LoadBalancers"
        ][0]
        tg = target_group(elbv2, vpc, f"tg-{name}", "HTTP" if kind == "application" else "TCP", 80)
        elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol=protocol,
            Port=port,
            SslPolicy=policy,
            Certificates=[{"CertificateArn": cert}],
            DefaultActions=forward(tg),
        )
        made["dns"][name] = lb["DNSName"]
        return lb, tg

    # Policies s2n-tls serves by name, so tests/audit_e2e.rs runs these listeners on elbemu.
    # Behaves exactly as declared.
    exact, exact_tg = elbv2_lb(
        "alb-exact", "application", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        [{"Key": "env", "Value": "prod"}],
    )
    # An HTTP listener that forwards instead of redirecting: plaintext under a baseline.
    elbv2.create_listener(
        LoadBalancerArn=exact["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=forward(exact_tg)
    )
    # Serves TLS13-1-0-PQ: TLS 1.0/1.1 and CBC suites beyond its policy.
    elbv2_lb(
        "alb-drifted", "application", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        [{"Key": "env", "Value": "prod"}],
    )
    # Serves TLS13-1-2-FIPS-2023-04: the ML-KEM hybrids of its policy are missing.
    elbv2_lb(
        "nlb-classical", "network", "TLS", "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        [{"Key": "env", "Value": "dev"}],
    )
    # A Classic listener that never answers.
    elb = client(endpoint, "elb", region)
    elb.create_load_balancer(
        LoadBalancerName="clb-dead",
        Listeners=[classic_listener("HTTPS", port, cert)],
        AvailabilityZones=[f"{region}a"],
    )
    elb.create_load_balancer_policy(
        LoadBalancerName="clb-dead",
        PolicyName="clb-dead-policy",
        PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[
            {"AttributeName": "Reference-Security-Policy", "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"}
        ],
    )
    elb.set_load_balancer_policies_of_listener(
        LoadBalancerName="clb-dead", LoadBalancerPort=port, PolicyNames=["clb-dead-policy"]
    )
    made["dns"]["clb-dead"] = elb.describe_load_balancers(LoadBalancerNames=["clb-dead"])[
        "LoadBalancerDescriptions"
    ][0]["DNSName"]
    return made


def negotiation_errors(endpoint):
    """tests/audit_negotiation.rs: load balancers with ClientTLSNegotiationErrorCount data points
    (put_metric_data) — 12 for alb-failing in the last 24 h (5 two hours ago, 7 half an hour ago)
    plus 100 thirty hours ago, 3 for nlb-failing, none for alb-quiet — and a Classic one."""
    region = "us-east-1"
    vpc, subnets = network(endpoint, region)
    cert = import_cert(endpoint, region, "errors.example.test", "rsa")
    elbv2 = client(endpoint, "elbv2", region)
    cloudwatch = client(endpoint, "cloudwatch", region)
    now = datetime.datetime.now(datetime.timezone.utc)
    made = {}
    for name, kind, protocol, points in [
        ("alb-failing", "application", "HTTPS", [(2, 5), (0.5, 7), (30, 100)]),
        ("alb-quiet", "application", "HTTPS", []),
        ("nlb-failing", "network", "TLS", [(3, 3)]),
    ]:
        lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, Type=kind)["LoadBalancers"][0]
        tg = target_group(elbv2, vpc, f"tg-{name}", "HTTP" if kind == "application" else "TCP", 80)
        elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol=protocol,
            Port=443,
            SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
            Certificates=[{"CertificateArn": cert}],
            DefaultActions=forward(tg),
        )
        dimension = lb["LoadBalancerArn"].split(":loadbalancer/", 1)[1]
        for hours_ago, value in points:
            cloudwatch.put_metric_data(
                Namespace="AWS/ApplicationELB" if kind == "application" else "AWS/NetworkELB",
                MetricData=[
                    {
                        "MetricName": "ClientTLSNegotiationErrorCount",
                        "Dimensions": [{"Name": "LoadBalancer", "Value": dimension}],
                        "Timestamp": now - datetime.timedelta(hours=hours_ago),
                        "Value": value,
                        "Unit": "Count",
                    }
                ],
            )
        made[name] = lb["LoadBalancerArn"]
    elb = client(endpoint, "elb", region)
    elb.create_load_balancer(
        LoadBalancerName="clb", Listeners=[classic_listener("HTTPS", 443, cert)], AvailabilityZones=[f"{region}a"]
    )
    return made


def many(endpoint, count, region):
    _, subnets = network(endpoint, region)
    elbv2 = client(endpoint, "elbv2", region)
    for i in range(count):
        elbv2.create_load_balancer(Name=f"page-{i:03d}", Subnets=subnets)
    return {"load_balancers": count}


def organization(endpoint):
    """An organization managed from moto's default account: two active members (one with an
    ALB, made through the member's OrganizationAccountAccessRole) and one closed (suspended)."""
    org = client(endpoint, "organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = []
    for name in ("member-a", "member-b", "member-closed"):
        status = org.create_account(Email=f"{name}@example.test", AccountName=name)
        ids.append(status["CreateAccountStatus"]["AccountId"])
    org.close_account(AccountId=ids[2])
    other_account(endpoint, f"arn:aws:iam::{ids[0]}:role/OrganizationAccountAccessRole")
    return {"active": ids[:2], "closed": ids[2]}


def _org_bulk_scope(job):
    """One account/region of org_bulk, in a worker process: `per_region` load balancers named
    uniquely across the organization (moto derives DNS names from the name alone, and Classic ones
    ignore the region), made with the account's own credentials."""
    endpoint, index, account, region, per_region, port = job
    creds = None
    if account is not None:
        sts = client(endpoint, "sts", "us-east-1")
        got = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName="fixtures",
        )["Credentials"]
        creds = dict(
            aws_access_key_id=got["AccessKeyId"],
            aws_secret_access_key=got["SecretAccessKey"],
            aws_session_token=got["SessionToken"],
        )
    return bulk_region(endpoint, region, f"a{index:02d}-{region_short(region)}", per_region, port,
                       3, creds)


def org_bulk(endpoint, accounts, regions, per_region, port, workers=3):
    """An organization of `accounts` active accounts (the management account, moto's default, and
    accounts - 1 members, plus one closed member that must be skipped), each with `per_region`
    load balancers in every region as in `bulk` (a third Classic HTTPS, the rest ALBs with an
    HTTPS and an HTTP-redirect listener), every TLS listener on `port`. The account/region pairs
    are made by `workers` processes at once (moto answers from several threads)."""
    org = client(endpoint, "organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    members = []
    for i in range(1, accounts):
        status = org.create_account(Email=f"member-{i:02d}@example.test", AccountName=f"member-{i:02d}")
        members.append(status["CreateAccountStatus"]["AccountId"])
    closed = org.create_account(Email="closed@example.test", AccountName="closed")
    closed_id = closed["CreateAccountStatus"]["AccountId"]
    org.close_account(AccountId=closed_id)
    jobs = [
        (endpoint, index, account, region, per_region, port)
        for index, account in enumerate([None] + members)
        for region in regions
    ]
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        listeners = sum(pool.map(_org_bulk_scope, jobs))
    return {
        "accounts": accounts,
        "closed": closed_id,
        "regions": len(regions),
        "load_balancers": accounts * len(regions) * per_region,
        "listeners": listeners,
    }


def set_policy(endpoint, listener_arn, policy):
    """Moves an ELBv2 listener to another security policy (what changes between two nightly runs)."""
    region = listener_arn.split(":")[3]
    client(endpoint, "elbv2", region).modify_listener(ListenerArn=listener_arn, SslPolicy=policy)
    return {"listener": listener_arn, "policy": policy}


def securityhub_findings(endpoint, region):
    """Every finding moto's Security Hub holds in the default account and REGION (moto applies no
    filter: the test sees elbtls's findings and any other product's)."""
    hub = client(endpoint, "securityhub", region)
    findings, token = [], None
    while True:
        page = hub.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        findings.extend(page["Findings"])
        token = page.get("NextToken")
        if not token:
            break
    return {"findings": findings}


def securityhub_foreign(endpoint, region):
    """A finding of another product in the default account: elbtls must never archive it."""
    account = "123456789012"
    finding = {
        "SchemaVersion": "2018-10-08",
        "Id": "other-tool/finding-1",
        "ProductArn": f"arn:aws:securityhub:{region}:{account}:product/{account}/default",
        "GeneratorId": "other-tool/check-1",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "CreatedAt": "2025-01-01T00:00:00Z",
        "UpdatedAt": "2025-01-01T00:00:00Z",
        "Severity": {"Label": "LOW"},
        "Title": "Another tool's finding",
        "Description": "Not elbtls's.",
        "Resources": [{"Type": "Other", "Id": "thing"}],
        "RecordState": "ACTIVE",
    }
    answer = client(endpoint, "securityhub", region).batch_import_findings(Findings=[finding])
    return {"failed": answer["FailedCount"], "id": finding["Id"]}


def delete_lb(endpoint, region, name):
    """Deletes the ELBv2 load balancer NAME (a listener gone between two runs)."""
    elbv2 = client(endpoint, "elbv2", region)
    arn = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    return {"deleted": arn}


def main():
    endpoint, what, *rest = sys.argv[1:]
    if not endpoint.startswith(("http://127.", "http://localhost")):
        sys.exit(f"refusing non-loopback endpoint {endpoint}")
    if what == "standard":
        made = standard(endpoint)
    elif what == "bulk":
        made = bulk(endpoint, int(rest[0]), rest[1].split(","), *(int(p) for p in rest[2:3]))
    elif what == "other-account":
        made = other_account(endpoint, rest[0])
    elif what == "audit":
        made = audit(endpoint, int(rest[0]))
    elif what == "many":
        made = many(endpoint, int(rest[0]), rest[1])
    elif what == "organization":
        made = organization(endpoint)
    elif what == "org-bulk":
        made = org_bulk(endpoint, int(rest[0]), rest[1].split(","), int(rest[2]), int(rest[3]),
                        *(int(w) for w in rest[4:5]))
    elif what == "set-policy":
        made = set_policy(endpoint, rest[0], rest[1])
    elif what == "negotiation-errors":
        made = negotiation_errors(endpoint)
    elif what == "securityhub-findings":
        made = securityhub_findings(endpoint, rest[0])
    elif what == "securityhub-foreign":
        made = securityhub_foreign(endpoint, rest[0])
    elif what == "delete-lb":
        made = delete_lb(endpoint, rest[0], rest[1])
    else:
        sys.exit(f"unknown fixture {what}")
    print(json.dumps(made))


if __name__ == "__main__":
    main()
