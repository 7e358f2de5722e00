//! A tiny HTTP server on loopback that answers AWS API calls with recorded, AWS-shaped responses,
//! for what moto cannot produce (Classic predefined policies, `Scheme`, AccessDenied, Throttling,
//! account:ListRegions). Each test gives a function from the request to the response, and can
//! read back every request it received.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// One request as the stub saw it.
#[derive(Clone, Debug)]
pub struct Request {
    /// The request path (`/`, `/listRegions`).
    pub path: String,
    /// The region of the SigV4 credential scope.
    pub region: String,
    /// The signing service (`elasticloadbalancing`, `sts`, `account`).
    pub service: String,
    /// Form fields of a query-protocol body (`Action`, `Version`, `Marker`, …).
    pub form: BTreeMap<String, String>,
    /// The raw body.
    pub body: String,
}

impl Request {
    /// The `Action` form field, or the path for JSON protocols.
    pub fn action(&self) -> &str {
        self.form
            .get("Action")
            .map_or(self.path.as_str(), String::as_str)
    }

    /// Whether this is a Classic ELB call (API version 2012-06-01).
    pub fn is_classic(&self) -> bool {
        self.form.get("Version").is_some_and(|v| v == "2012-06-01")
    }
}

/// A response: status, content type, body.
pub type Response = (u16, &'static str, String);

/// A content type that makes the stub announce a longer body than it sends (`text/xml`, with a
/// Content-Length 100 bytes beyond the body) and then close the connection: an answer cut in
/// transit.
pub const CUT_CONNECTION: &str = "x-stub/cut-connection";

/// A running stub; stops accepting when the test process ends.
pub struct AwsStub {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

impl AwsStub {
    /// Starts the stub with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the AWS stub");
        let port = listener.local_addr().expect("stub address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let handler: Arc<Handler> = Arc::new(handler);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Arc::clone(&handler);
                let seen = Arc::clone(&seen);
                thread::spawn(move || serve(stream, &*handler, &seen));
            }
        });
        Self { port, requests }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut headers = BTreeMap::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        // Credential=AKID/20260101/us-east-1/elasticloadbalancing/aws4_request
        let scope: Vec<&str> = headers
            .get("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .map(|c| c.split(',').next().unwrap_or("").split('/').collect())
            .unwrap_or_default();
        let request = Request {
            path,
            region: scope.get(2).unwrap_or(&"").to_string(),
            service: scope.get(3).unwrap_or(&"").to_string(),
            form: body
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, v)| (decode(k), decode(v)))
                .collect(),
            body,
        };
        seen.lock().unwrap().push(request.clone());
        let (status, content_type, body) = handler(&request);
        let mut stream = reader.get_ref();
        let cut = content_type == CUT_CONNECTION;
        let (content_type, length) = if cut {
            ("text/xml", body.len() + 100)
        } else {
            (content_type, body.len())
        };
        let reply = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\
             x-amzn-RequestId: stub\r\n\r\n{body}"
        );
        if stream.write_all(reply.as_bytes()).is_err() || cut {
            return;
        }
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An awsQuery error document as ELB and STS send it.
pub fn query_error(status: u16, code: &str, message: &str) -> Response {
    (
        status,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">\
             <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>stub</RequestId></ErrorResponse>"
        ),
    )
}

/// An awsQuery success document: `<{action}Response><{action}Result>{result}</…>`.
pub fn query_ok(action: &str, namespace: &str, result: &str) -> Response {
    (
        200,
        "text/xml",
        format!(
            "<{action}Response xmlns=\"{namespace}\"><{action}Result>{result}</{action}Result>\
             <ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></{action}Response>"
        ),
    )
}
