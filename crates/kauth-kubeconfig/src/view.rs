//! What `kubectl config view` does to a config before printing it.
//!
//! Upstream: `MinifyConfig`, `FlattenConfig`, `ShortenConfig` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/api/helpers.go`, and the
//! JSON printer of `k8s.io/cli-runtime/pkg/printers`.

use std::collections::BTreeMap;

use base64::Engine as _;

use super::model::Config;
use super::paths;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ViewError {
    #[error("current-context must exist in order to minify")]
    NoCurrentContext,
    #[error("cannot locate context {0}")]
    MissingContext(String),
    #[error("cannot locate cluster {0}")]
    MissingCluster(String),
    #[error("cannot locate user {0}")]
    MissingUser(String),
    #[error("cannot have values for both path and file contents")]
    PathAndData,
    #[error("open {path}: {reason}")]
    Read { path: String, reason: String },
}

/// Keeps only the current context and the cluster and user it names.
pub fn minify(config: &mut Config) -> Result<(), ViewError> {
    if config.current_context.is_empty() {
        return Err(ViewError::NoCurrentContext);
    }
    let name = config.current_context.clone();
    let context = config
        .contexts
        .get(&name)
        .cloned()
        .ok_or_else(|| ViewError::MissingContext(name.clone()))?;
    let mut clusters = BTreeMap::new();
    if !context.cluster.is_empty() {
        let cluster = config
            .clusters
            .get(&context.cluster)
            .cloned()
            .ok_or_else(|| ViewError::MissingCluster(context.cluster.clone()))?;
        clusters.insert(context.cluster.clone(), cluster);
    }
    let mut users = BTreeMap::new();
    if !context.auth_info.is_empty() {
        let user = config
            .auth_infos
            .get(&context.auth_info)
            .cloned()
            .ok_or_else(|| ViewError::MissingUser(context.auth_info.clone()))?;
        users.insert(context.auth_info.clone(), user);
    }
    config.contexts = BTreeMap::from([(name, context)]);
    config.clusters = clusters;
    config.auth_infos = users;
    Ok(())
}

/// Keeps only the contexts `names` and the clusters and users they name;
/// the first becomes the current context (`kauth config export`).
pub fn select(config: &mut Config, names: &[String]) -> Result<(), ViewError> {
    let mut out = Config {
        preferences: config.preferences.clone(),
        current_context: names.first().cloned().unwrap_or_default(),
        ..Config::default()
    };
    for name in names {
        let mut one = Config {
            current_context: name.clone(),
            ..config.clone()
        };
        minify(&mut one)?;
        out.clusters.append(&mut one.clusters);
        out.auth_infos.append(&mut one.auth_infos);
        out.contexts.append(&mut one.contexts);
    }
    *config = out;
    Ok(())
}

/// Replaces file references with the files' contents. `read` gets an
/// absolute path (resolved against the directory of the entry's file,
/// made absolute against `cwd`).
pub fn flatten(
    config: &mut Config,
    cwd: &str,
    mut read: impl FnMut(&str) -> Result<Vec<u8>, String>,
) -> Result<(), ViewError> {
    let mut embed =
        |path: &mut String, data: &mut Vec<u8>, origin: &str| -> Result<(), ViewError> {
            if path.is_empty() {
                return Ok(());
            }
            if !data.is_empty() {
                return Err(ViewError::PathAndData);
            }
            let base = paths::abs(cwd, &paths::dir(origin));
            let full = if paths::is_abs(path) {
                path.clone()
            } else {
                paths::join(&base, path)
            };
            *data = read(&full).map_err(|reason| ViewError::Read { path: full, reason })?;
            path.clear();
            Ok(())
        };
    for user in config.auth_infos.values_mut() {
        let origin = user.origin.clone();
        embed(
            &mut user.client_certificate,
            &mut user.client_certificate_data,
            &origin,
        )?;
        embed(&mut user.client_key, &mut user.client_key_data, &origin)?;
    }
    for cluster in config.clusters.values_mut() {
        let origin = cluster.origin.clone();
        embed(
            &mut cluster.certificate_authority,
            &mut cluster.certificate_authority_data,
            &origin,
        )?;
    }
    Ok(())
}

fn marker(text: &str) -> Vec<u8> {
    // Bytes whose base64 form is the marker itself, as client-go does.
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_default()
}

/// Hides secrets the way `kubectl config view` does without `--raw`.
pub fn redact(config: &mut Config) {
    for user in config.auth_infos.values_mut() {
        if !user.client_key_data.is_empty() {
            user.client_key_data = marker("DATA+OMITTED");
        }
        if !user.client_certificate_data.is_empty() {
            user.client_certificate_data = marker("DATA+OMITTED");
        }
        if !user.token.is_empty() {
            user.token = "REDACTED".to_string();
        }
        if !user.password.is_empty() {
            user.password = "REDACTED".to_string();
        }
    }
    for cluster in config.clusters.values_mut() {
        if !cluster.certificate_authority_data.is_empty() {
            cluster.certificate_authority_data = marker("DATA+OMITTED");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decode;

    const DOC: &str = "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n- name: b\n  context: {cluster: d, user: u}\nclusters:\n- name: c\n  cluster: {server: s, certificate-authority: ca.crt}\n- name: d\n  cluster: {server: t}\nusers:\n- name: u\n  user: {token: secret}\n";

    #[test]
    fn minify_keeps_what_the_current_context_uses() {
        let mut c = decode(DOC, "/k/config").unwrap();
        minify(&mut c).unwrap();
        assert_eq!(c.contexts.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(c.clusters.keys().collect::<Vec<_>>(), ["c"]);
        c.current_context = "zz".into();
        assert_eq!(minify(&mut c), Err(ViewError::MissingContext("zz".into())));
    }

    #[test]
    fn flatten_reads_relative_to_the_entry_file() {
        let mut c = decode(DOC, "/k/config").unwrap();
        let mut asked = Vec::new();
        flatten(&mut c, "/cwd", |p| {
            asked.push(p.to_string());
            Ok(b"PEM".to_vec())
        })
        .unwrap();
        assert_eq!(asked, ["/k/ca.crt"]);
        assert_eq!(c.clusters["c"].certificate_authority_data, b"PEM");
        assert!(c.clusters["c"].certificate_authority.is_empty());
    }

    #[test]
    fn redact_hides_tokens() {
        let mut c = decode(DOC, "/k/config").unwrap();
        redact(&mut c);
        assert_eq!(c.auth_infos["u"].token, "REDACTED");
    }
}
