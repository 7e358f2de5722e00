//! The certificate handshakes of one address, started as the scan proves each kind.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::super::cert::{check_plaintext_chain, fetch_certificate};
use super::super::conn::Network;
use super::super::scan::{Answer, Handshaker, Offer};
use crate::model::certificate::{CertificateReport, KeyAlgorithm, SignatureFamily};
use crate::tls::{CipherSuite, ProtocolVersion, RequiredCertificate};

/// The network, telling the certificate handshakes which kinds the suites prove.
pub(super) struct Prober {
    pub(super) network: Arc<Network>,
    pub(super) certificates: Option<Arc<Certificates>>,
}

impl Handshaker for Prober {
    async fn handshake(&self, offer: Offer) -> Answer {
        self.network.handshake(offer).await
    }

    fn certificate_kind_proven(&self, kind: RequiredCertificate) {
        if let (Some(certificates), Some(family)) = (&self.certificates, family_for(kind)) {
            certificates.need(family);
        }
    }

    fn certificate_seen(
        &self,
        kind: RequiredCertificate,
        chain: &[Vec<u8>],
        version: ProtocolVersion,
        suite: CipherSuite,
    ) {
        if let (Some(certificates), Some(family)) = (&self.certificates, family_for(kind)) {
            let mut seen = certificates
                .plaintext
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !seen.iter().any(|(f, ..)| *f == family) {
                seen.push((family, chain.to_vec(), version, suite));
            }
        }
    }
}

/// The signature family of the certificate a kind of suite needs.
fn family_for(kind: RequiredCertificate) -> Option<SignatureFamily> {
    match kind {
        RequiredCertificate::Rsa => Some(SignatureFamily::Rsa),
        RequiredCertificate::Ec => Some(SignatureFamily::Ecdsa),
        _ => None,
    }
}

/// The certificate handshakes of one address: one offering both signature families at once (the
/// server presents the certificate it prefers), made with the first offers; then one per kind
/// the suites prove the server holds and that first one did not show — unless a TLS ≤ 1.2
/// answer already carried that kind's chain in plaintext and the first handshake succeeded
/// (the server speaks what rustls speaks): that chain is then checked as the handshake would
/// check it, without a connection.
pub(super) struct Certificates {
    network: Arc<Network>,
    address: SocketAddr,
    sni: Option<String>,
    deadline_seconds: f64,
    /// The families the first handshake presented, once it has ended.
    first: watch::Receiver<Option<Vec<SignatureFamily>>>,
    /// The families asked for since, and their handshakes (`None`: the first one showed it).
    asked: std::sync::Mutex<Vec<SignatureFamily>>,
    /// The first plaintext chain of each family, with the version and suite it came with.
    plaintext: std::sync::Mutex<Vec<PlaintextChain>>,
    tasks: std::sync::Mutex<Vec<JoinHandle<Option<Option<CertificateReport>>>>>,
}

impl Certificates {
    pub(super) fn start(
        network: Arc<Network>,
        address: SocketAddr,
        sni: Option<String>,
        deadline_seconds: f64,
    ) -> Arc<Self> {
        let (presented, first) = watch::channel(None);
        let this = Arc::new(Self {
            network,
            address,
            sni,
            deadline_seconds,
            first,
            asked: std::sync::Mutex::default(),
            plaintext: std::sync::Mutex::default(),
            tasks: std::sync::Mutex::default(),
        });
        let me = Arc::clone(&this);
        let task = tokio::spawn(async move {
            let report = me.fetch(None).await;
            let families = report
                .as_ref()
                .map(|r| {
                    r.chains
                        .iter()
                        .filter_map(|c| family_of(&c.leaf_key))
                        .collect()
                })
                .unwrap_or_default();
            let _ = presented.send(Some(families));
            Some(report)
        });
        this.lock_tasks().push(task);
        this
    }

    fn lock_tasks(
        &self,
    ) -> std::sync::MutexGuard<'_, Vec<JoinHandle<Option<Option<CertificateReport>>>>> {
        self.tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The families asked for so far.
    pub(super) fn asked(&self) -> Vec<SignatureFamily> {
        self.asked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Makes sure the certificate of `family` is read: by the first handshake, or by one of its
    /// own started now.
    pub(super) fn need(self: &Arc<Self>, family: SignatureFamily) {
        {
            let mut asked = self
                .asked
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if asked.contains(&family) {
                return;
            }
            asked.push(family);
        }
        let me = Arc::clone(self);
        let task = tokio::spawn(async move {
            let mut first = me.first.clone();
            let shown = first
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|families| families.clone())
                .unwrap_or_default();
            if shown.contains(&family) {
                return None;
            }
            let plaintext = me
                .plaintext
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
                .find(|(f, ..)| *f == family)
                .cloned();
            if let Some((_, ders, version, suite)) = plaintext.filter(|_| !shown.is_empty()) {
                let sni = me.sni.as_deref();
                return Some(Some(check_plaintext_chain(
                    me.address,
                    sni,
                    family,
                    &ders,
                    (version, suite),
                )));
            }
            Some(me.fetch(Some(family)).await)
        });
        self.lock_tasks().push(task);
    }

    /// One handshake, counted against the connection cap; `None` when the deadline passed.
    async fn fetch(&self, family: Option<SignatureFamily>) -> Option<CertificateReport> {
        let _slot = self.network.slot().await;
        let timeout = self.network.step_limit()?;
        let fetch = fetch_certificate(self.address, self.sni.as_deref(), timeout, family);
        let report = tokio::time::timeout(self.network.time_left(), fetch)
            .await
            .ok()?;
        self.network.count_connections(report.connections);
        Some(report)
    }

    /// Every report, and why some handshakes said nothing.
    pub(super) async fn finish(&self) -> (Vec<CertificateReport>, Vec<String>) {
        let deadline = self.deadline_seconds;
        let mut reports = Vec::new();
        let mut failures = Vec::new();
        loop {
            let tasks: Vec<_> = std::mem::take(&mut *self.lock_tasks());
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                match task.await {
                    Ok(Some(Some(report))) => reports.push(report),
                    Ok(None) => {}
                    Ok(Some(None)) => failures.push(format!(
                        "the certificate handshakes did not end before the endpoint deadline of \
                         {deadline} s"
                    )),
                    Err(e) => failures.push(format!("certificate handshakes failed: {e}")),
                }
            }
        }
        failures.dedup();
        (reports, failures)
    }
}

/// A chain read in plaintext: its family, DER certificates (leaf first), version and suite.
type PlaintextChain = (SignatureFamily, Vec<Vec<u8>>, ProtocolVersion, CipherSuite);

fn family_of(key: &KeyAlgorithm) -> Option<SignatureFamily> {
    match key {
        KeyAlgorithm::Rsa => Some(SignatureFamily::Rsa),
        KeyAlgorithm::Ec { .. } | KeyAlgorithm::Ed25519 | KeyAlgorithm::Ed448 => {
            Some(SignatureFamily::Ecdsa)
        }
        _ => None,
    }
}
