//! Types shared along the data flow (inventory → catalogue → probe → compare → report).
//! Nothing here does I/O.

pub mod certificate;

pub mod observed;

pub mod audit;
pub mod inventory;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The kind of load balancer, as the ELB APIs name it (`Type` of ELBv2; Classic is its own API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoadBalancerType {
    /// ELBv2 Application Load Balancer (`HTTPS` listeners).
    Application,
    /// ELBv2 Network Load Balancer (`TLS` listeners).
    Network,
    /// ELBv2 Gateway Load Balancer: listed, never terminates TLS.
    Gateway,
    /// Classic Load Balancer (`HTTPS` and `SSL` listeners).
    Classic,
}

impl LoadBalancerType {
    /// Every type, in display order.
    pub const ALL: [Self; 4] = [
        Self::Application,
        Self::Network,
        Self::Gateway,
        Self::Classic,
    ];

    /// The API's name: `application`, `network`, `gateway`, `classic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Network => "network",
            Self::Gateway => "gateway",
            Self::Classic => "classic",
        }
    }

    /// Whether the load balancer belongs to the ELBv2 API (and its `DescribeSSLPolicies`).
    pub fn is_elbv2(self) -> bool {
        !matches!(self, Self::Classic)
    }
}

impl fmt::Display for LoadBalancerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A load-balancer type name that is not one of `application`, `network`, `gateway`, `classic`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown load balancer type `{0}`: expected application, network, gateway or classic")]
pub struct UnknownLoadBalancerType(pub String);

impl FromStr for LoadBalancerType {
    type Err = UnknownLoadBalancerType;

    /// Accepts the API names and the usual abbreviations (`alb`, `nlb`, `gwlb`, `clb`, `elb`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "application" | "alb" => Self::Application,
            "network" | "nlb" => Self::Network,
            "gateway" | "gwlb" => Self::Gateway,
            "classic" | "clb" | "elb" => Self::Classic,
            _ => return Err(UnknownLoadBalancerType(s.to_string())),
        })
    }
}
