//! Checks that an AWS Query answer (ELB, ELBv2, STS) is a whole XML document before its contents
//! are believed.
//!
//! The SDK's XML deserialiser is lenient: an answer cut after a complete `</member>` parses, and
//! the load balancers or listeners after the cut (and the `NextMarker` that would have named the
//! next page) are silently missing; a Classic answer cut inside a member yields a phantom load
//! balancer named `''`. An empty, HTML or JSON body gives the SDK's placeholder error code
//! `Unknown`. [`CompleteAnswers`], an SDK interceptor on those clients, looks at every answer
//! after deserialisation and turns anything that is not a complete `<…Response>` document (or, for
//! an error status, an `<ErrorResponse>`) into an [`UnreadableAnswer`] that names the endpoint,
//! the status, the content type and what is wrong. [`super::error::classify`] finds it in the
//! error chain.

use std::fmt;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// How many characters of a foreign body a message quotes.
const SNIPPET_CHARS: usize = 80;

/// What is wrong with an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No body at all.
    Empty,
    /// Not XML: the start of what came instead.
    NotXml {
        /// The first characters of the body, control characters escaped.
        start: String,
    },
    /// XML, but not an AWS answer (an HTML page, another document).
    NotAnAnswer {
        /// The root element.
        root: String,
        /// The first characters of the body, control characters escaped.
        start: String,
    },
    /// An AWS answer that ends before its root element is closed.
    CutShort {
        /// The root element that is never closed.
        root: String,
    },
}

/// An answer that is not a complete AWS Query document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableAnswer {
    /// The URL the request went to (no query string: nothing secret).
    pub endpoint: String,
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, or `no content type`.
    pub content_type: String,
    /// The body's length in bytes.
    pub length: usize,
    /// What is wrong.
    pub problem: Problem,
}

impl UnreadableAnswer {
    /// Whether the endpoint said it failed (5xx): retrying later may help.
    pub fn is_server_error(&self) -> bool {
        self.status >= 500
    }
}

impl fmt::Display for UnreadableAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            endpoint,
            status,
            content_type,
            length,
            problem,
        } = self;
        write!(
            f,
            "the answer from {endpoint} (HTTP {status}, {content_type}, {length} bytes) "
        )?;
        match problem {
            Problem::Empty => write!(f, "is empty")?,
            Problem::NotXml { start } => write!(f, "is not XML: it starts `{start}`")?,
            Problem::NotAnAnswer { root, start } => write!(
                f,
                "is not an AWS answer (its root element is <{root}>): it starts `{start}`"
            )?,
            Problem::CutShort { root } => write!(
                f,
                "was cut short: it ends before </{root}>, so what it lists may be incomplete"
            )?,
        }
        write!(f, "; nothing from it is used. ")?;
        if *status >= 500 {
            write!(
                f,
                "The endpoint (or a proxy or load balancer in front of it) failed: try again \
                 later, and check --endpoint-url / AWS_ENDPOINT_URL and any HTTPS proxy"
            )
        } else {
            write!(
                f,
                "Something other than AWS answered, or the connection was cut: check \
                 --endpoint-url / AWS_ENDPOINT_URL and any HTTPS proxy, then try again"
            )
        }
    }
}

impl std::error::Error for UnreadableAnswer {}

/// Checks a body: `None` when it is a complete AWS Query document whose root ends in `Response`
/// (`DescribeLoadBalancersResponse`, `ErrorResponse`).
pub fn check_body(body: &[u8]) -> Option<Problem> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Some(Problem::Empty);
    }
    let Some(root) = root_element(text) else {
        return Some(Problem::NotXml {
            start: snippet(text),
        });
    };
    if !root.ends_with("Response") {
        return Some(Problem::NotAnAnswer {
            root: snippet(root),
            start: snippet(text),
        });
    }
    let closing = format!("</{root}>");
    if !text.ends_with(&closing) {
        return Some(Problem::CutShort {
            root: root.to_string(),
        });
    }
    None
}

/// The name of the first element, after an XML declaration, comments and a doctype.
fn root_element(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?") {
            rest = &after[after.find("?>")? + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            // A doctype: only HTML pages have one; name the element after it.
            rest = &rest[rest.find('>')? + 1..];
        } else {
            break;
        }
    }
    let name = rest.strip_prefix('<')?;
    let end = name
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(name.len());
    let name = &name[..end];
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    valid.then_some(name)
}

/// The first characters of untrusted text, on one line, control characters escaped.
pub fn snippet(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.split_whitespace().flat_map(|w| w.chars().chain([' ']));
    for _ in 0..SNIPPET_CHARS {
        match chars.next() {
            Some(c) if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            Some(c) => out.push(c),
            None => return out.trim_end().to_string(),
        }
    }
    if chars.next().is_some() {
        out = out.trim_end().to_string();
        out.push('…');
    }
    out
}

/// The URL a request went to, kept between the two hooks.
#[derive(Clone, Debug)]
struct RequestedUrl(String);

impl Storable for RequestedUrl {
    type Storer = StoreReplace<Self>;
}

/// The interceptor: see the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompleteAnswers;

impl Intercept for CompleteAnswers {
    fn name(&self) -> &'static str {
        "CompleteAnswers"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let uri = context.request().uri();
        let without_query = uri.split('?').next().unwrap_or(uri);
        cfg.interceptor_state()
            .store_put(RequestedUrl(without_query.to_string()));
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        // A body the SDK has not read into memory is a streaming one: no Query answer is.
        let Some(body) = response.body().bytes() else {
            return Ok(());
        };
        let Some(problem) = check_body(body) else {
            return Ok(());
        };
        let endpoint = cfg
            .load::<RequestedUrl>()
            .map_or_else(|| "the endpoint".to_string(), |u| u.0.clone());
        Err(Box::new(UnreadableAnswer {
            endpoint,
            status: response.status().as_u16(),
            content_type: response
                .headers()
                .get("content-type")
                .map_or_else(|| "no content type".to_string(), snippet),
            length: body.len(),
            problem,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = "<?xml version=\"1.0\"?>\n<DescribeLoadBalancersResponse xmlns=\"x\">\
        <DescribeLoadBalancersResult><LoadBalancers><member><LoadBalancerName>a</LoadBalancerName>\
        </member></LoadBalancers></DescribeLoadBalancersResult><ResponseMetadata><RequestId>r\
        </RequestId></ResponseMetadata></DescribeLoadBalancersResponse>\n";

    #[test]
    fn accepts_whole_answers_and_error_documents() {
        assert_eq!(check_body(ANSWER.as_bytes()), None);
        let error = "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>";
        assert_eq!(check_body(error.as_bytes()), None);
    }

    #[test]
    fn rejects_every_truncation_of_an_answer() {
        let whole = ANSWER.trim_end();
        for cut in 0..whole.len() {
            assert!(
                check_body(&whole.as_bytes()[..cut]).is_some(),
                "accepted the first {cut} bytes"
            );
        }
    }

    #[test]
    fn names_html_json_and_empty_bodies() {
        assert_eq!(check_body(b" \r\n"), Some(Problem::Empty));
        assert!(matches!(
            check_body(b"<!DOCTYPE html><html><body>Sign in</body></html>"),
            Some(Problem::NotAnAnswer { root, .. }) if root == "html"
        ));
        assert!(matches!(
            check_body(br#"{"LoadBalancers":[]}"#),
            Some(Problem::NotXml { start }) if start == r#"{"LoadBalancers":[]}"#
        ));
    }

    #[test]
    fn snippets_are_short_and_on_one_line() {
        assert_eq!(snippet("a\nb\u{1b}[31m"), "a b\\u{1b}[31m");
        let long = "x".repeat(500);
        assert_eq!(snippet(&long).chars().count(), SNIPPET_CHARS + 1);
    }
}
