//! Merging other kubeconfigs into one (`kauth config import`) without
//! losing an entry.
//!
//! Each imported entry lands under its own name when that name is free, is
//! dropped when an entry of that name is already there and the same (paths
//! compared resolved, as a client reads them), and otherwise is a conflict
//! settled by [`OnConflict`]: refused (nothing changes), added under the
//! first free name `NAME-2`, `NAME-3`, ..., or written over the old one. A
//! renamed cluster or user is renamed in the imported contexts that use
//! it, so every imported context keeps its server and credentials.
//!
//! The incoming config must have its file references resolved to absolute
//! paths (the caller knows where it was read from); the target's are
//! resolved here against the directory of the file each entry came from.

use std::collections::BTreeMap;
use std::fmt;

use super::model::{AuthInfo, Cluster, Config, Context};
use super::paths;

/// What to do with an imported entry whose name is taken by a different one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnConflict {
    #[default]
    Refuse,
    Rename,
    Replace,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Put before every imported name (and the references to them).
    pub prefix: String,
    pub on_conflict: OnConflict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Cluster,
    User,
    Context,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Cluster => "cluster",
            Kind::User => "user",
            Kind::Context => "context",
        })
    }
}

/// What happened to one imported entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Added,
    /// Added under another name, the one asked for being taken.
    Renamed(String),
    Replaced,
    /// Already there, the same.
    Identical,
    /// Already there under the name an earlier import renamed it to.
    IdenticalAs(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    /// The name in the imported file.
    pub name: String,
    pub outcome: Outcome,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Change { kind, name, .. } = self;
        match &self.outcome {
            Outcome::Added => write!(f, "{kind} \"{name}\" added"),
            Outcome::Renamed(to) => {
                write!(f, "{kind} \"{name}\" added as \"{to}\" (the name is taken)")
            }
            Outcome::Replaced => write!(f, "{kind} \"{name}\" replaced"),
            Outcome::Identical => write!(f, "{kind} \"{name}\" already there, identical"),
            Outcome::IdenticalAs(to) => {
                write!(f, "{kind} \"{name}\" already there as \"{to}\", identical")
            }
        }
    }
}

/// Imported names taken by different entries, refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", conflict_list(.0))]
pub struct Conflicts(pub Vec<(Kind, String)>);

fn conflict_list(c: &[(Kind, String)]) -> String {
    let names: Vec<String> = c.iter().map(|(k, n)| format!("{k} \"{n}\"")).collect();
    let noun = if c.len() == 1 {
        "name is taken by a different entry"
    } else {
        "names are taken by different entries"
    };
    format!("{} {noun}: {}", c.len(), names.join(", "))
}

/// Imports `incoming` into `target`. `cwd` resolves the target's relative
/// file references for comparison. On a refused conflict `target` may be
/// partly changed: the caller discards it.
pub fn import(
    target: &mut Config,
    incoming: Config,
    cwd: &str,
    opts: &Options,
) -> Result<Vec<Change>, Conflicts> {
    let mut incoming = prefixed(incoming, &opts.prefix);
    // Where an imported entry came from is not part of what it is.
    incoming
        .clusters
        .values_mut()
        .for_each(|c| c.origin.clear());
    incoming
        .auth_infos
        .values_mut()
        .for_each(|u| u.origin.clear());
    incoming
        .contexts
        .values_mut()
        .for_each(|c| c.origin.clear());
    let mut changes = Vec::new();
    let mut conflicts = Vec::new();
    let mut step = |kind: Kind, name: &str, outcome: Result<Outcome, ()>| match outcome {
        Ok(outcome) => changes.push(Change {
            kind,
            name: name.to_string(),
            outcome,
        }),
        Err(()) => conflicts.push((kind, name.to_string())),
    };

    let taken: Vec<String> = incoming.clusters.keys().cloned().collect();
    let mut cluster_names = BTreeMap::new();
    for (name, cluster) in incoming.clusters {
        let same = |old: &Cluster| same_cluster(old, &cluster, cwd);
        let (to, outcome) = place(
            &mut target.clusters,
            &name,
            cluster.clone(),
            same,
            &taken,
            opts,
        );
        step(Kind::Cluster, &name, outcome);
        cluster_names.insert(name, to);
    }
    let taken: Vec<String> = incoming.auth_infos.keys().cloned().collect();
    let mut user_names = BTreeMap::new();
    for (name, user) in incoming.auth_infos {
        let same = |old: &AuthInfo| same_user(old, &user, cwd);
        let (to, outcome) = place(
            &mut target.auth_infos,
            &name,
            user.clone(),
            same,
            &taken,
            opts,
        );
        step(Kind::User, &name, outcome);
        user_names.insert(name, to);
    }
    let taken: Vec<String> = incoming.contexts.keys().cloned().collect();
    let mut context_names = BTreeMap::new();
    for (name, mut context) in incoming.contexts {
        if let Some(to) = cluster_names.get(&context.cluster) {
            context.cluster = to.clone();
        }
        if let Some(to) = user_names.get(&context.auth_info) {
            context.auth_info = to.clone();
        }
        let same = |old: &Context| same_context(old, &context);
        let (to, outcome) = place(
            &mut target.contexts,
            &name,
            context.clone(),
            same,
            &taken,
            opts,
        );
        step(Kind::Context, &name, outcome);
        context_names.insert(name, to);
    }
    if !conflicts.is_empty() {
        return Err(Conflicts(conflicts));
    }
    if target.current_context.is_empty()
        && let Some(to) = context_names.get(&incoming.current_context)
    {
        target.current_context = to.clone();
    }
    Ok(changes)
}

/// Puts one entry under `name` or its replacement; returns the name it
/// ends under and what happened (`Err` for a refused conflict).
fn place<T: Clone + HasOrigin>(
    into: &mut BTreeMap<String, T>,
    name: &str,
    mut entry: T,
    same: impl Fn(&T) -> bool,
    incoming: &[String],
    opts: &Options,
) -> (String, Result<Outcome, ()>) {
    let Some(old) = into.get(name) else {
        into.insert(name.to_string(), entry);
        return (name.to_string(), Ok(Outcome::Added));
    };
    if same(old) {
        return (name.to_string(), Ok(Outcome::Identical));
    }
    match opts.on_conflict {
        OnConflict::Refuse => (name.to_string(), Err(())),
        OnConflict::Replace => {
            // Written where the old one lives.
            entry.set_origin(old.origin().to_string());
            into.insert(name.to_string(), entry);
            (name.to_string(), Ok(Outcome::Replaced))
        }
        OnConflict::Rename => {
            // An earlier import of the same entry left it as NAME-k.
            let mut to = String::new();
            for n in 2.. {
                to = format!("{name}-{n}");
                match into.get(&to) {
                    Some(old) if same(old) => return (to.clone(), Ok(Outcome::IdenticalAs(to))),
                    None if !incoming.contains(&to) => break,
                    _ => {}
                }
            }
            into.insert(to.clone(), entry);
            (to.clone(), Ok(Outcome::Renamed(to)))
        }
    }
}

trait HasOrigin {
    fn origin(&self) -> &str;
    fn set_origin(&mut self, origin: String);
}

macro_rules! has_origin {
    ($($t:ty),*) => {$(
        impl HasOrigin for $t {
            fn origin(&self) -> &str {
                &self.origin
            }
            fn set_origin(&mut self, origin: String) {
                self.origin = origin;
            }
        }
    )*};
}
has_origin!(Cluster, AuthInfo, Context);

fn base(cwd: &str, origin: &str) -> String {
    paths::abs(cwd, &paths::dir(origin))
}

fn same_cluster(old: &Cluster, new: &Cluster, cwd: &str) -> bool {
    let mut old = old.clone();
    let dir = base(cwd, &old.origin);
    paths::resolve_cluster(&mut old, &dir);
    old.origin = String::new();
    old == *new
}

fn same_user(old: &AuthInfo, new: &AuthInfo, cwd: &str) -> bool {
    let mut old = old.clone();
    let dir = base(cwd, &old.origin);
    paths::resolve_auth_info(&mut old, &dir);
    old.origin = String::new();
    old == *new
}

fn same_context(old: &Context, new: &Context) -> bool {
    Context {
        origin: String::new(),
        ..old.clone()
    } == *new
}

/// `config` with `prefix` before every name and every reference.
fn prefixed(mut config: Config, prefix: &str) -> Config {
    if prefix.is_empty() {
        return config;
    }
    let rename = |name: &str| format!("{prefix}{name}");
    fn names<T>(m: BTreeMap<String, T>, prefix: &str) -> BTreeMap<String, T> {
        m.into_iter()
            .map(|(k, v)| (format!("{prefix}{k}"), v))
            .collect()
    }
    config.clusters = names(std::mem::take(&mut config.clusters), prefix);
    config.auth_infos = names(std::mem::take(&mut config.auth_infos), prefix);
    config.contexts = names(std::mem::take(&mut config.contexts), prefix)
        .into_iter()
        .map(|(k, mut c)| {
            if !c.cluster.is_empty() {
                c.cluster = rename(&c.cluster);
            }
            if !c.auth_info.is_empty() {
                c.auth_info = rename(&c.auth_info);
            }
            (k, c)
        })
        .collect();
    if !config.current_context.is_empty() {
        config.current_context = rename(&config.current_context);
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decode;

    fn kubeadm(server: &str, token: &str) -> Config {
        let text = format!(
            "clusters:\n- name: kubernetes\n  cluster: {{server: {server}}}\nusers:\n- name: kubernetes-admin\n  user: {{token: {token}}}\ncontexts:\n- name: kubernetes-admin@kubernetes\n  context: {{cluster: kubernetes, user: kubernetes-admin}}\ncurrent-context: kubernetes-admin@kubernetes\n"
        );
        decode(&text, "/in/admin.conf").unwrap()
    }

    fn options(on_conflict: OnConflict) -> Options {
        Options {
            on_conflict,
            ..Options::default()
        }
    }

    #[test]
    fn two_kubeadm_files_end_as_two_working_contexts() {
        let mut target = kubeadm("https://a:6443", "ta");
        let changes = import(
            &mut target,
            kubeadm("https://b:6443", "tb"),
            "/",
            &options(OnConflict::Rename),
        )
        .unwrap();
        let ctx = &target.contexts["kubernetes-admin@kubernetes-2"];
        assert_eq!(target.clusters[&ctx.cluster].server, "https://b:6443");
        assert_eq!(target.auth_infos[&ctx.auth_info].token, "tb");
        let old = &target.contexts["kubernetes-admin@kubernetes"];
        assert_eq!(target.clusters[&old.cluster].server, "https://a:6443");
        assert_eq!(target.auth_infos[&old.auth_info].token, "ta");
        assert_eq!(changes.len(), 3);
        assert!(
            changes
                .iter()
                .all(|c| matches!(c.outcome, Outcome::Renamed(_)))
        );
        // Importing it again finds every entry where the first import put it.
        let before = target.clone();
        let again = import(
            &mut target,
            kubeadm("https://b:6443", "tb"),
            "/",
            &options(OnConflict::Rename),
        )
        .unwrap();
        assert_eq!(target, before);
        assert!(
            again
                .iter()
                .all(|c| matches!(c.outcome, Outcome::IdenticalAs(_)))
        );
    }

    #[test]
    fn a_conflict_is_refused_unless_told_otherwise() {
        let mut target = kubeadm("https://a:6443", "ta");
        let err = import(
            &mut target,
            kubeadm("https://b:6443", "ta"),
            "/",
            &Options::default(),
        )
        .unwrap_err();
        // The user and the context (names only) are the same.
        assert_eq!(
            err.to_string(),
            "1 name is taken by a different entry: cluster \"kubernetes\""
        );
        let err = import(
            &mut target,
            kubeadm("https://b:6443", "tb"),
            "/",
            &Options::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "2 names are taken by different entries: cluster \"kubernetes\", user \"kubernetes-admin\""
        );
    }

    #[test]
    fn identical_entries_are_kept_once() {
        let mut target = kubeadm("https://a:6443", "ta");
        let before = target.clone();
        let changes = import(
            &mut target,
            kubeadm("https://a:6443", "ta"),
            "/",
            &Options::default(),
        )
        .unwrap();
        assert!(changes.iter().all(|c| c.outcome == Outcome::Identical));
        assert_eq!(target, before);
    }

    #[test]
    fn replace_overwrites_in_place_and_prefix_renames_everything() {
        let mut target = kubeadm("https://a:6443", "ta");
        import(
            &mut target,
            kubeadm("https://b:6443", "tb"),
            "/",
            &options(OnConflict::Replace),
        )
        .unwrap();
        assert_eq!(target.clusters["kubernetes"].server, "https://b:6443");
        assert_eq!(target.clusters["kubernetes"].origin, "/in/admin.conf");
        let opts = Options {
            prefix: "lab-".into(),
            ..Options::default()
        };
        import(&mut target, kubeadm("https://c:6443", "tc"), "/", &opts).unwrap();
        let ctx = &target.contexts["lab-kubernetes-admin@kubernetes"];
        assert_eq!(
            (ctx.cluster.as_str(), ctx.auth_info.as_str()),
            ("lab-kubernetes", "lab-kubernetes-admin")
        );
    }

    #[test]
    fn paths_compare_resolved() {
        let mut target = decode(
            "clusters:\n- name: c\n  cluster: {server: https://a, certificate-authority: ca.crt}\n",
            "/home/u/.kube/config",
        )
        .unwrap();
        let incoming = decode(
            "clusters:\n- name: c\n  cluster: {server: https://a, certificate-authority: /home/u/.kube/ca.crt}\n",
            "/tmp/other",
        )
        .unwrap();
        let changes = import(&mut target, incoming, "/", &Options::default()).unwrap();
        assert_eq!(changes[0].outcome, Outcome::Identical);
    }

    #[test]
    fn the_current_context_is_taken_only_when_there_is_none() {
        let mut target = Config::default();
        import(
            &mut target,
            kubeadm("https://a", "t"),
            "/",
            &Options::default(),
        )
        .unwrap();
        assert_eq!(target.current_context, "kubernetes-admin@kubernetes");
        let mut other = kubeadm("https://b", "t");
        other.current_context = "kubernetes-admin@kubernetes".into();
        import(&mut target, other, "/", &options(OnConflict::Rename)).unwrap();
        assert_eq!(target.current_context, "kubernetes-admin@kubernetes");
    }
}
