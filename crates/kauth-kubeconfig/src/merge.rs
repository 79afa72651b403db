//! Merging the files of a `KUBECONFIG` list.
//!
//! Upstream: `ClientConfigLoadingRules.Load` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/loader.go`: the first file
//! to define a name wins that whole entry, the first file with a non-empty
//! `current-context` wins it, and any file turning on `colors` turns it on.

use super::model::{Config, Extensions};

/// Merges configs in loading order (first has priority).
pub fn merge(configs: impl IntoIterator<Item = Config>) -> Config {
    let mut merged = Config::default();
    for config in configs {
        for (name, cluster) in config.clusters {
            merged.clusters.entry(name).or_insert(cluster);
        }
        for (name, user) in config.auth_infos {
            merged.auth_infos.entry(name).or_insert(user);
        }
        for (name, context) in config.contexts {
            merged.contexts.entry(name).or_insert(context);
        }
        if merged.current_context.is_empty() {
            merged.current_context = config.current_context;
        }
        merged.preferences.colors |= config.preferences.colors;
        merge_extensions(
            &mut merged.preferences.extensions,
            config.preferences.extensions,
        );
        merge_extensions(&mut merged.extensions, config.extensions);
    }
    merged
}

fn merge_extensions(into: &mut Extensions, from: Extensions) {
    for (name, value) in from {
        into.entry(name).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decode;

    #[test]
    fn first_file_wins_each_name_and_the_current_context() {
        let a = decode(
            "current-context: \"\"\nclusters:\n- name: c\n  cluster: {server: https://a}\n",
            "a",
        )
        .unwrap();
        let b = decode(
            "current-context: x\npreferences: {colors: true}\nclusters:\n- name: c\n  cluster: {server: https://b}\n- name: d\n  cluster: {server: https://d}\n",
            "b",
        )
        .unwrap();
        let m = merge([a, b]);
        assert_eq!(m.clusters["c"].server, "https://a");
        assert_eq!(m.clusters["c"].origin, "a");
        assert_eq!(m.clusters["d"].origin, "b");
        assert_eq!(m.current_context, "x");
        assert!(m.preferences.colors);
    }
}
