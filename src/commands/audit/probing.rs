//! The audit's probes: planned listener by listener while the inventory is still being read, each
//! endpoint probed once, at most `--concurrency` at a time.
//!
//! The inventory hands over each load balancer as soon as its listeners are read ([`Probing::add`]
//! through [`Planner`]), so the first probes start seconds into a run of thousands of load
//! balancers instead of after the last API call. The audit then plans every selected listener
//! once more from the finished inventory: an endpoint already planned is not probed again, and
//! one the stream missed is probed then. What the report says about a listener therefore never
//! depends on when its load balancer was read.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::catalogue::Catalogue;
use crate::cli::AuditFilters;
use crate::cli::Shard;
use crate::compare::{self, Kind};
use crate::model::inventory::{Listener, LoadBalancer};
use crate::model::observed::{Observation, ProbeOutcome};
use crate::probe::run::{ProbeOptions, probe};
use crate::probe::scan::{Guide, Profile};
use crate::probe::target::Target;

/// Where a listener is probed: its load balancer's DNS name (lower case, no final dot) and port.
pub(super) type EndpointKey = (String, u16);

/// A listener's endpoint, or `None` when its load balancer has no DNS name.
pub(super) fn endpoint(lb: &LoadBalancer, listener: &Listener) -> Option<Target> {
    let host = lb.dns_name.as_deref()?;
    Some(Target {
        host: host.trim_end_matches('.').to_ascii_lowercase(),
        port: listener.port,
    })
}

/// The key of an endpoint.
pub(super) fn key(target: &Target) -> EndpointKey {
    (target.host.clone(), target.port)
}

/// Whether the audit's selection (filters, then the shard) keeps a load balancer.
pub(super) fn in_run(lb: &LoadBalancer, filters: &AuditFilters, shard: Option<Shard>) -> bool {
    super::selected(lb, filters) && shard.is_none_or(|s| lb.shard(s.count) == s.index)
}

/// A listener's endpoint on its way to a probe.
pub(super) struct Planned {
    target: Target,
    guide: Guide,
    /// Listeners expected to be alike: the same declared policy (or, with none, the same host).
    family: String,
}

/// Turns listeners into planned probes, with one guide per declared policy.
pub(super) struct Planner<'c> {
    catalogue: &'c Catalogue,
    guides: HashMap<Option<String>, Guide>,
}

impl<'c> Planner<'c> {
    pub(super) fn new(catalogue: &'c Catalogue) -> Self {
        Self {
            catalogue,
            guides: HashMap::new(),
        }
    }

    /// The probe of one listener, if it is a TLS listener with an address. Each probe guesses
    /// ahead along its listener's declared policy (see `ProbeOptions::guide`), then along what
    /// the first listener declaring the same policy showed.
    pub(super) fn plan(&mut self, lb: &LoadBalancer, listener: &Listener) -> Option<Planned> {
        let declared = self.catalogue.resolve(lb.lb_type, &listener.declared);
        if compare::audit::kind(listener, &declared) != Some(Kind::Tls) {
            return None;
        }
        let target = endpoint(lb, listener)?;
        let policy = declared.policy();
        let catalogue = self.catalogue;
        let guide = self
            .guides
            .entry(policy.map(|p| p.name.clone()))
            .or_insert_with(|| super::super::probe::guide(catalogue, policy))
            .clone();
        let family = match policy {
            Some(policy) => format!("policy {}", policy.name),
            None => format!("host {}", target.host),
        };
        Some(Planned {
            target,
            guide,
            family,
        })
    }
}

/// Probes under way. Every endpoint is probed once. In each family the first endpoint is probed
/// first; the others then guess along what it showed (each still proves its own result, offer by
/// offer).
pub(super) struct Probing {
    options: ProbeOptions,
    limit: Arc<Semaphore>,
    seen: HashSet<EndpointKey>,
    /// Per family, what its first endpoint showed (`None` inside: nothing usable).
    leaders: HashMap<String, watch::Sender<Option<Option<Profile>>>>,
    tasks: JoinSet<(EndpointKey, Observation)>,
    progress: Arc<Progress>,
}

impl Probing {
    /// No probe yet; at most `concurrency` endpoints will be probed at once.
    pub(super) fn new(options: &ProbeOptions, concurrency: usize) -> Self {
        Self {
            options: options.clone(),
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
            seen: HashSet::new(),
            leaders: HashMap::new(),
            tasks: JoinSet::new(),
            progress: Progress::new(),
        }
    }

    /// Starts the probe of `planned` unless its endpoint is probed already. Must be called
    /// inside the runtime.
    pub(super) fn add(&mut self, planned: Planned) {
        if !self.seen.insert(key(&planned.target)) {
            return;
        }
        self.progress.planned();
        let mut options = self.options.clone();
        let (lead, follow) = match self.leaders.get(&planned.family) {
            Some(sender) => (None, Some(sender.subscribe())),
            None => {
                let (sender, _) = watch::channel(None);
                let lead = sender.clone();
                self.leaders.insert(planned.family.clone(), sender);
                (Some(lead), None)
            }
        };
        let limit = Arc::clone(&self.limit);
        let progress = Arc::clone(&self.progress);
        self.tasks.spawn(async move {
            options.guide = planned.guide;
            if let Some(mut follow) = follow
                && let Ok(shown) = follow.wait_for(Option::is_some).await
                && let Some(Some(profile)) = shown.clone()
            {
                options.guide = options.guide.led_by(profile);
            }
            let observation = {
                let _slot = limit.acquire().await;
                probe(&planned.target, &options).await
            };
            if let Some(lead) = lead {
                let profile = match &observation.outcome {
                    ProbeOutcome::Completed(observed) => {
                        Some(Profile::observed(&observed.protocols, &observed.groups))
                    }
                    _ => None,
                };
                let _ = lead.send(Some(profile));
            }
            progress.tick();
            (key(&planned.target), observation)
        });
    }

    /// Waits for every probe started.
    pub(super) async fn finish(mut self) -> HashMap<EndpointKey, Observation> {
        // A follower whose leader ended without a word stops waiting once no sender is left.
        self.leaders.clear();
        let mut observations = HashMap::with_capacity(self.seen.len());
        while let Some(joined) = self.tasks.join_next().await {
            match joined {
                Ok((key, observation)) => {
                    observations.insert(key, observation);
                }
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // Not cancelled anywhere; a lost probe is a listener without an observation
                // (reported as failed), never a pass.
                Err(_) => {}
            }
        }
        self.progress.finish();
        observations
    }
}

/// A one-line progress counter on stderr, only when stderr is a terminal.
struct Progress {
    total: AtomicUsize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            shown: super::super::say::progress_shown(),
        })
    }

    fn planned(&self) {
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown {
            let mut err = io::stderr().lock();
            let _ = write!(
                err,
                "\rprobing listeners: {done}/{}",
                self.total.load(Ordering::Relaxed)
            );
            let _ = err.flush();
        }
    }

    fn finish(&self) {
        if self.shown && self.done.load(Ordering::Relaxed) > 0 {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
