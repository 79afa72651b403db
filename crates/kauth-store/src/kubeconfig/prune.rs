//! Removing the clusters and users no context uses (`config prune`,
//! `delete-context --cascade`, `config lint --fix`).
//!
//! Each pass is one [`modify`]: the unused entries of the merged config
//! are removed from it, and `modify` writes each removal to the file that
//! held the entry, under the lock. A name defined in two files is held by
//! the first; once that copy is gone the next file's copy is the merged
//! one, so passes repeat until nothing selected is unused (at most one per
//! file). Every copy of an unused name goes: none is used.

use kauth_kubeconfig::merge::merge;
use kauth_kubeconfig::model::Config;
use kauth_kubeconfig::usage::{self, EntryKind};

use super::{PathOptions, Result, StoreError, load_files, modify};

/// One entry removed (or, for a dry run, that would be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub kind: EntryKind,
    pub name: String,
    /// The file that held it.
    pub file: String,
}

/// Removes the unused clusters and users that `select` accepts; with
/// `dry_run`, only says which. Sorted: clusters, then users, by name, each
/// name's files in loading order.
pub fn prune(
    opts: &PathOptions,
    select: impl Fn(EntryKind, &str) -> bool,
    dry_run: bool,
) -> Result<Vec<Removal>> {
    let files = opts.precedence();
    let mut removed = if dry_run {
        would_remove(&load_files(opts)?, &select)
    } else {
        let mut all = Vec::new();
        for _ in 0..=files.len() {
            let pass = modify(opts, true, |config| {
                Ok::<_, StoreError>(remove_pass(opts, config, &select))
            })?;
            if pass.is_empty() {
                break;
            }
            all.extend(pass);
        }
        all
    };
    let index = |f: &str| files.iter().position(|x| x == f).unwrap_or(files.len());
    removed
        .sort_by(|a, b| (a.kind, &a.name, index(&a.file)).cmp(&(b.kind, &b.name, index(&b.file))));
    Ok(removed)
}

fn remove_pass(
    opts: &PathOptions,
    config: &mut Config,
    select: &impl Fn(EntryKind, &str) -> bool,
) -> Vec<Removal> {
    let unused = usage::unused(config).filter(select);
    let origin = |o: &str| {
        if o.is_empty() {
            opts.default_filename()
        } else {
            o.to_string()
        }
    };
    let removed = unused
        .entries()
        .map(|(kind, name)| Removal {
            kind,
            name: name.to_string(),
            file: match kind {
                EntryKind::Cluster => origin(&config.clusters[name].origin),
                _ => origin(&config.auth_infos[name].origin),
            },
        })
        .collect();
    usage::remove(config, &unused);
    removed
}

/// What the passes would remove: every file's copy of each unused name.
fn would_remove(
    files: &[(String, Config)],
    select: &impl Fn(EntryKind, &str) -> bool,
) -> Vec<Removal> {
    let merged = merge(files.iter().map(|(_, c)| c.clone()));
    let unused = usage::unused(&merged).filter(select);
    let mut out = Vec::new();
    for (kind, name) in unused.entries() {
        for (file, config) in files {
            let defined = match kind {
                EntryKind::Cluster => config.clusters.contains_key(name),
                _ => config.auth_infos.contains_key(name),
            };
            if defined {
                out.push(Removal {
                    kind,
                    name: name.to_string(),
                    file: file.clone(),
                });
            }
        }
    }
    out
}
