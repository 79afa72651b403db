//! kauth's own small state: the previous context per kubeconfig, for
//! `kauth config use-context -`. Kept outside the kubeconfig so that the
//! file stays exactly what kubectl would write.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{atomic, env};

/// `$XDG_STATE_HOME/kauth`, else `~/.local/state/kauth`.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(env::XDG_STATE_HOME).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("kauth"));
    }
    let home = std::env::var_os(env::HOME).filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".local/state/kauth"))
}

fn previous_file() -> Option<PathBuf> {
    state_dir().map(|d| d.join("previous-context.json"))
}

fn read_all() -> BTreeMap<String, String> {
    previous_file()
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The context that was current before the last `use-context` on the
/// kubeconfig identified by `key`.
pub fn previous_context(key: &str) -> Option<String> {
    read_all().remove(key)
}

/// Remembers `name` as the previous context of `key`. Failures are ignored:
/// this is a convenience, never a reason to fail a command.
pub fn remember_previous_context(key: &str, name: &str) {
    let Some(file) = previous_file() else { return };
    let mut all = read_all();
    all.insert(key.to_string(), name.to_string());
    if let Ok(text) = serde_json::to_vec_pretty(&all) {
        let _ = atomic::write(&file, &text, 0o600);
    }
}

/// Follows a renamed or deleted context: a previous context of `key` named
/// `old` becomes `new`, or is forgotten when `new` is `None`, so that
/// `use-context -` never names a context that is gone.
pub fn rename_previous_context(key: &str, old: &str, new: Option<&str>) {
    let Some(file) = previous_file() else { return };
    let mut all = read_all();
    if all.get(key).map(String::as_str) != Some(old) {
        return;
    }
    match new {
        Some(new) => all.insert(key.to_string(), new.to_string()),
        None => all.remove(key),
    };
    if let Ok(text) = serde_json::to_vec_pretty(&all) {
        let _ = atomic::write(&file, &text, 0o600);
    }
}
