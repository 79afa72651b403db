//! Which clusters and users the contexts of a config use, and which no
//! context uses: what `config prune`, `delete-context --cascade` and
//! `config lint` remove or report.
//!
//! A context uses a cluster or user by name, as client-go resolves a
//! context (`DirectClientConfig.getContext` and friends in
//! `staging/src/k8s.io/client-go/tools/clientcmd/client_config.go`), so
//! "used" is decided on the merged config: a context shadowed by another
//! file's context of the same name is never read and uses nothing.

use std::collections::BTreeSet;

use super::model::Config;

/// The kind of a named kubeconfig entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    Cluster,
    User,
    Context,
}

impl EntryKind {
    /// The word kubectl uses in its messages (`deleted cluster x from f`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Cluster => "cluster",
            EntryKind::User => "user",
            EntryKind::Context => "context",
        }
    }
}

/// The clusters and users of `config` that no context names, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unused {
    pub clusters: Vec<String>,
    pub users: Vec<String>,
}

impl Unused {
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty() && self.users.is_empty()
    }

    /// Each entry with its kind: clusters first, then users, each sorted.
    pub fn entries(&self) -> impl Iterator<Item = (EntryKind, &str)> {
        self.clusters
            .iter()
            .map(|n| (EntryKind::Cluster, n.as_str()))
            .chain(self.users.iter().map(|n| (EntryKind::User, n.as_str())))
    }

    /// Only the entries `keep` accepts.
    pub fn filter(self, keep: impl Fn(EntryKind, &str) -> bool) -> Unused {
        Unused {
            clusters: self
                .clusters
                .into_iter()
                .filter(|n| keep(EntryKind::Cluster, n))
                .collect(),
            users: self
                .users
                .into_iter()
                .filter(|n| keep(EntryKind::User, n))
                .collect(),
        }
    }
}

/// The clusters and users no context of `config` uses.
pub fn unused(config: &Config) -> Unused {
    let clusters: BTreeSet<&str> = config
        .contexts
        .values()
        .map(|c| c.cluster.as_str())
        .collect();
    let users: BTreeSet<&str> = config
        .contexts
        .values()
        .map(|c| c.auth_info.as_str())
        .collect();
    Unused {
        clusters: config
            .clusters
            .keys()
            .filter(|n| !clusters.contains(n.as_str()))
            .cloned()
            .collect(),
        users: config
            .auth_infos
            .keys()
            .filter(|n| !users.contains(n.as_str()))
            .cloned()
            .collect(),
    }
}

/// Removes the entries of `unused` from `config` (as `modify` then writes
/// each removal to the file that held the entry).
pub fn remove(config: &mut Config, unused: &Unused) {
    for name in &unused.clusters {
        config.clusters.remove(name);
    }
    for name in &unused.users {
        config.auth_infos.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decode;

    const DOC: &str = "clusters:\n- name: a\n  cluster: {server: https://a}\n- name: b\n  cluster: {server: https://b}\n- name: c\n  cluster: {server: https://c}\nusers:\n- name: u\n  user: {token: t}\n- name: v\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: a, user: u}\n- name: z\n  context: {cluster: a, user: missing}\n";

    #[test]
    fn entries_no_context_names_are_unused() {
        let config = decode(DOC, "f").unwrap();
        let u = unused(&config);
        assert_eq!(u.clusters, ["b", "c"]);
        assert_eq!(u.users, ["v"]);
        let listed: Vec<_> = u.entries().collect();
        assert_eq!(
            listed,
            [
                (EntryKind::Cluster, "b"),
                (EntryKind::Cluster, "c"),
                (EntryKind::User, "v")
            ]
        );
    }

    #[test]
    fn removing_the_unused_leaves_nothing_unused() {
        let mut config = decode(DOC, "f").unwrap();
        let u = unused(&config);
        remove(&mut config, &u);
        assert!(unused(&config).is_empty());
        assert_eq!(config.clusters.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(config.contexts.len(), 2);
    }

    #[test]
    fn no_contexts_leaves_every_entry_unused_and_an_empty_name_counts() {
        let config = decode(
            "clusters:\n- name: \"\"\n  cluster: {server: https://a}\ncontexts:\n- name: x\n  context: {user: u}\n",
            "f",
        )
        .unwrap();
        // A context without a cluster names the empty cluster.
        assert!(unused(&config).clusters.is_empty());
        let bare = decode("users:\n- name: u\n  user: {token: t}\n", "f").unwrap();
        assert_eq!(unused(&bare).users, ["u"]);
    }
}
