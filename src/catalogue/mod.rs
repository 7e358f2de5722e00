//! The policy catalogue: every predefined ELB security policy, built into the binary from
//! `policies/*.toml`, optionally extended or replaced by a user's directory (`--catalogue DIR`).

mod api_check;
mod classic;
mod diff;
mod error;
mod file;
mod fit;
mod policy;
mod resolve;
mod suggest;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

pub use api_check::{ApiCheck, KindCheck, PolicyDifference};
pub use classic::{ClassicPolicyError, ResolvedClassicPolicy, from_classic_attributes};
pub use diff::{GroupsDiff, PolicyDiff};
pub use error::{CatalogueError, Problem, UnknownPolicy};
pub use file::Source;
pub use fit::Fit;
pub use policy::{Confidence, Engine, Origin, Policy, PolicyCipher, PolicyKind};
pub use resolve::Declaration;

use crate::model::LoadBalancerType;

include!(concat!(env!("OUT_DIR"), "/catalogue_files.rs"));

/// The ELBv2 policies most listeners run, most common first: the API default (2016-08), the CDK's
/// `RECOMMENDED_TLS` and former console default, the console defaults since, then the usual
/// choices for TLS 1.2 only, forward secrecy only, and TLS 1.3 with older clients.
const LIKELY_POLICIES: [&str; 11] = [
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
];

/// A set of policies and the sources they cite.
///
/// Unpublished policies (`published = false`: names no AWS documentation or API lists) are kept
/// apart: [`Catalogue::policies`] leaves them out, so listings, `--policy auto` and every
/// suggestion do too, until [`Catalogue::include_unpublished`] is called. Lookups by name
/// ([`Catalogue::get`], [`Catalogue::find_all`]) always find them.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    policies: Vec<Policy>,
    unpublished: Vec<Policy>,
    sources: BTreeMap<String, Source>,
}

impl Catalogue {
    /// The catalogue built into elbtls.
    ///
    /// The embedded files are checked by the test suite, so an error here means a broken build; it
    /// is still returned, not panicked on.
    pub fn builtin() -> Result<Self, CatalogueError> {
        let files = BUILTIN_FILES.iter().map(|(name, text)| {
            (
                format!("policies/{name}"),
                (*text).to_string(),
                Origin::Builtin {
                    file: (*name).to_string(),
                },
            )
        });
        Self::from_texts(files)
    }

    /// Reads every `*.toml` file of `dir` (not recursively), in name order.
    pub fn load_dir(dir: &Path) -> Result<Self, CatalogueError> {
        let entries = fs::read_dir(dir).map_err(|source| CatalogueError::ReadDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| CatalogueError::ReadDir {
                path: dir.to_path_buf(),
                source,
            })?;
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            return Err(CatalogueError::Empty {
                path: dir.to_path_buf(),
            });
        }
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let text = fs::read_to_string(&path).map_err(|source| CatalogueError::ReadFile {
                path: path.clone(),
                source,
            })?;
            files.push((
                path.display().to_string(),
                text,
                Origin::User { path: path.clone() },
            ));
        }
        Self::from_texts(files)
    }

    /// A catalogue from one file's `text` (as if read from a file named `label`): what
    /// [`Catalogue::load_dir`] does for each file, without the file system (fuzzing, tests).
    pub fn from_text(label: &str, text: &str) -> Result<Self, CatalogueError> {
        Self::from_texts([(
            label.to_string(),
            text.to_string(),
            Origin::User { path: label.into() },
        )])
    }

    fn from_texts(
        files: impl IntoIterator<Item = (String, String, Origin)>,
    ) -> Result<Self, CatalogueError> {
        let mut catalogue = Self::default();
        let mut problems = Vec::new();
        let mut first_seen: BTreeMap<(String, PolicyKind), String> = BTreeMap::new();
        for (label, text, origin) in files {
            match file::parse(&label, &text, &origin) {
                Ok(parsed) => {
                    for policy in parsed.policies {
                        let names = std::iter::once(&policy.name).chain(policy.aliases.iter());
                        for name in names {
                            let key = (name.clone(), policy.kind);
                            if let Some(other) = first_seen.get(&key) {
                                problems.push(Problem::new(
                                    &label,
                                    1,
                                    format!(
                                        "{} policy `{name}` is defined twice (also in {other}); \
                                         keep one entry",
                                        policy.kind
                                    ),
                                ));
                            } else {
                                first_seen.insert(key, label.clone());
                            }
                        }
                        catalogue.push(policy);
                    }
                    for source in parsed.sources {
                        if catalogue.sources.contains_key(&source.id) {
                            problems.push(Problem::new(
                                &label,
                                1,
                                format!("source `{}` is defined twice", source.id),
                            ));
                        }
                        catalogue.sources.insert(source.id.clone(), source);
                    }
                }
                Err(mut file_problems) => problems.append(&mut file_problems),
            }
        }
        if problems.is_empty() {
            Ok(catalogue)
        } else {
            Err(CatalogueError::Invalid(problems))
        }
    }

    fn push(&mut self, policy: Policy) {
        if policy.published {
            self.policies.push(policy);
        } else {
            self.unpublished.push(policy);
        }
    }

    /// Adds `other` on top of this catalogue: a policy of `other` replaces one of the same name and
    /// kind here; new ones are added. Returns the names that were replaced.
    pub fn overlay(&mut self, other: Catalogue) -> Vec<String> {
        let mut replaced = Vec::new();
        // Indexed by (name, kind): a large user catalogue overlays in linear time.
        let mut incoming: HashMap<(String, PolicyKind), Policy> = HashMap::new();
        let mut order = Vec::new();
        for policy in other.policies.into_iter().chain(other.unpublished) {
            let key = (policy.name.clone(), policy.kind);
            if incoming.insert(key.clone(), policy).is_none() {
                order.push(key);
            }
        }
        let mut kept = Vec::new();
        let existing = std::mem::take(&mut self.policies)
            .into_iter()
            .chain(std::mem::take(&mut self.unpublished));
        for policy in existing {
            match incoming.remove(&(policy.name.clone(), policy.kind)) {
                Some(new) => {
                    replaced.push(new.name.clone());
                    kept.push(new);
                }
                None => kept.push(policy),
            }
        }
        for key in order {
            if let Some(new) = incoming.remove(&key) {
                kept.push(new);
            }
        }
        for policy in kept {
            self.push(policy);
        }
        self.sources.extend(other.sources);
        replaced
    }

    /// Makes the unpublished policies ordinary members (`--include-unpublished`): listed,
    /// ranked and suggested like the others.
    pub fn include_unpublished(&mut self) {
        let unpublished = std::mem::take(&mut self.unpublished);
        self.policies.extend(unpublished);
    }

    /// The unpublished policies not yet included (see [`Catalogue::include_unpublished`]).
    pub fn unpublished(&self) -> &[Policy] {
        &self.unpublished
    }

    /// The policies a live listener most likely runs, most likely first: `declared` (when given),
    /// then the defaults of the API, the console and the CDK, then every
    /// other listed ELBv2 policy and the Classic ones, in file order. A probe guesses its next
    /// offers along the first of them its answers have not ruled out.
    pub fn likely_policies<'a>(&'a self, declared: Option<&'a Policy>) -> Vec<&'a Policy> {
        let mut order: Vec<&Policy> = declared.into_iter().collect();
        let mut rest: Vec<&Policy> = self.policies.iter().collect();
        rest.sort_by_key(|p| p.kind);
        // ELBv2 first among policies of the same name (2016-08 is also a Classic one).
        let defaults = LIKELY_POLICIES
            .iter()
            .flat_map(|name| rest.iter().copied().filter(move |p| p.name == *name));
        for policy in defaults.chain(rest.iter().copied()) {
            if !order.iter().any(|known| std::ptr::eq(*known, policy)) {
                order.push(policy);
            }
        }
        order
    }

    /// Every policy, in file order, without the unpublished ones unless they were included
    /// ([`Catalogue::include_unpublished`]).
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The sources cited by the catalogue's files, by id.
    pub fn sources(&self) -> &BTreeMap<String, Source> {
        &self.sources
    }

    /// Every policy named `name` (by name or alias; exact match first, then case-insensitive), of
    /// any kind, ELBv2 first.
    pub fn find_all(&self, name: &str) -> Vec<&Policy> {
        let name = name.trim();
        let mut found: Vec<&Policy> = self.every_policy().filter(|p| p.answers_to(name)).collect();
        if found.is_empty() {
            found = self
                .every_policy()
                .filter(|p| {
                    p.name.eq_ignore_ascii_case(name)
                        || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
                })
                .collect();
        }
        found.sort_by_key(|p| p.kind);
        found
    }

    /// Every policy, the unpublished ones included.
    fn every_policy(&self) -> impl Iterator<Item = &Policy> {
        self.policies.iter().chain(&self.unpublished)
    }

    /// The policy a load balancer of type `lb` means by `name`.
    pub fn get(&self, name: &str, lb: LoadBalancerType) -> Result<&Policy, UnknownPolicy> {
        self.find_all(name)
            .into_iter()
            .find(|p| p.applies_to(lb))
            .ok_or_else(|| self.unknown(name, Some(lb)))
    }

    /// The error for a name that is not here, with the closest names as suggestions.
    pub fn unknown(&self, name: &str, lb: Option<LoadBalancerType>) -> UnknownPolicy {
        let candidates = self
            .policies
            .iter()
            .filter(|p| lb.is_none_or(|lb| p.applies_to(lb)))
            .flat_map(|p| {
                std::iter::once(p.name.as_str()).chain(p.aliases.iter().map(String::as_str))
            });
        UnknownPolicy {
            name: name.to_string(),
            scope: lb.map(|lb| lb.to_string()),
            suggestions: suggest::closest(name, candidates, 3)
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}
