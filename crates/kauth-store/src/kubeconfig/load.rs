//! Which kubeconfig files a command reads, and the config they merge to.
//!
//! Upstream: `PathOptions` and `GetStartingConfig` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/config.go`, and
//! `ClientConfigLoadingRules.Load` / `LoadFromFile` in `loader.go`.

use std::path::Path;
use std::time::Duration;

use kauth_kubeconfig::merge;
use kauth_kubeconfig::model::{self, Config};
use kauth_kubeconfig::names::{self, Names};

use super::{Result, StoreError};
use crate::env;

/// Which files a command reads and writes: `--kubeconfig`, else the
/// `KUBECONFIG` list (deduplicated), else `~/.kube/config`.
#[derive(Debug, Clone)]
pub struct PathOptions {
    pub explicit: Option<String>,
    pub env_files: Vec<String>,
    pub global: String,
    pub cwd: String,
    /// How long to wait for another writer's lock: `KAUTH_LOCK_TIMEOUT`,
    /// or why its value is refused (reported when a lock is needed).
    pub lock_timeout: std::result::Result<Duration, String>,
}

impl PathOptions {
    /// Reads `KUBECONFIG`, `HOME` and the working directory.
    pub fn from_env(explicit: Option<&str>) -> Self {
        let mut env_files: Vec<String> = Vec::new();
        if let Ok(list) = std::env::var(env::KUBECONFIG)
            && !list.is_empty()
        {
            for f in list.split(':') {
                if !env_files.iter().any(|e| e == f) {
                    env_files.push(f.to_string());
                }
            }
        }
        let home = std::env::var(env::HOME).unwrap_or_default();
        let cwd = std::env::current_dir()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "/".to_string());
        let lock_timeout = match std::env::var(env::LOCK_TIMEOUT) {
            Ok(v) => parse_lock_timeout(&v),
            Err(_) => Ok(Duration::from_secs(10)),
        };
        PathOptions {
            explicit: explicit.filter(|e| !e.is_empty()).map(str::to_string),
            env_files,
            global: format!("{home}/.kube/config"),
            cwd,
            lock_timeout,
        }
    }

    pub fn is_explicit(&self) -> bool {
        self.explicit.is_some()
    }

    pub fn precedence(&self) -> Vec<String> {
        if let Some(e) = &self.explicit {
            return vec![e.clone()];
        }
        if !self.env_files.is_empty() {
            return self.env_files.clone();
        }
        vec![self.global.clone()]
    }

    /// Where new entries go.
    pub fn default_filename(&self) -> String {
        if let Some(e) = &self.explicit {
            return e.clone();
        }
        match self.env_files.as_slice() {
            [] => self.global.clone(),
            [only] => only.clone(),
            files => files
                .iter()
                .find(|f| Path::new(f.as_str()).exists())
                .unwrap_or(&files[files.len() - 1])
                .clone(),
        }
    }

    /// The file named in messages such as `deleted context x from FILE`.
    pub fn config_file(&self) -> String {
        self.default_filename()
    }
}

/// `KAUTH_LOCK_TIMEOUT`: whole seconds, or a Go duration (`500ms`, `1m`);
/// never negative.
pub fn parse_lock_timeout(text: &str) -> std::result::Result<Duration, String> {
    let refuse = |why: String| format!("{}={text:?}: {why}", env::LOCK_TIMEOUT);
    // A bare number is seconds (`10`, `0.5`), anything else a Go duration.
    let bare = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.".contains(&b));
    let go = if bare {
        format!("{text}s")
    } else {
        text.to_string()
    };
    let ns = kauth_formats::duration::parse(&go).map_err(|e| refuse(e.to_string()))?;
    let ns = u64::try_from(ns).map_err(|_| refuse("a wait cannot be negative".to_string()))?;
    Ok(Duration::from_nanos(ns))
}

/// Reads one file; `Ok(None)` when it does not exist.
pub fn load_file(file: &str) -> Result<Option<Config>> {
    let text = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Read {
                file: file.to_string(),
                source,
            });
        }
    };
    // Bytes kubectl's YAML reader refuses are refused here too: read
    // lossily, they would be written back changed by the next edit.
    let text = kauth_formats::yaml::text(&text).map_err(|e| StoreError::Load {
        file: file.to_string(),
        source: e.into(),
    })?;
    model::decode(text, file)
        .map(Some)
        .map_err(|source| StoreError::Load {
            file: file.to_string(),
            source,
        })
}

pub(super) fn config_from_file(file: &str) -> Result<Config> {
    Ok(load_file(file)?.unwrap_or_default())
}

/// The merged config a command starts from (client-go's
/// `GetStartingConfig`: paths left as written, missing files skipped).
pub fn starting_config(opts: &PathOptions) -> Result<Config> {
    Ok(merge::merge(
        load_files(opts)?.into_iter().map(|(_, config)| config),
    ))
}

/// Each file in play that exists, in loading order, with its config
/// (what [`starting_config`] merges; for checks that need to know which
/// file holds what).
pub fn load_files(opts: &PathOptions) -> Result<Vec<(String, Config)>> {
    let files: Vec<String> = opts
        .precedence()
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect();
    let mut configs = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match load_file(&file) {
            Ok(Some(config)) => configs.push((file, config)),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(configs),
        1 => Err(errors.remove(0)),
        _ => Err(StoreError::Several(errors)),
    }
}

/// The names in the kubeconfig in effect, for completion: each file
/// scanned for its names alone where it has the usual shape, decoded in
/// full where not, merged as [`starting_config`] merges.
///
/// Each file's names are kept in kauth's state directory with the file's
/// identity (device, inode, size, modification and change times, to the
/// nanosecond): the next TAB reads back the names of every file that did
/// not change instead of scanning it, and scans a file changed in any way.
pub fn names(opts: &PathOptions) -> Result<Names> {
    let files: Vec<String> = opts
        .precedence()
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect();
    let mut kept = names_cache::read();
    // Each file's identity, its names, and whether they may be kept.
    let mut each: Vec<(Stamp, Option<Names>, bool)> = Vec::with_capacity(files.len());
    let mut scanned = false;
    for file in &files {
        let stamp = Stamp::of(file);
        let known = kept
            .iter()
            .position(|(s, _)| *s == stamp)
            .map(|i| kept.swap_remove(i).1);
        match known {
            Some(names) => each.push((stamp, names, true)),
            None => {
                scanned = true;
                let names = file_names(file)?;
                // Kept only when the file did not change while it was read.
                let steady = Stamp::of(file) == stamp;
                each.push((stamp, names, steady));
            }
        }
    }
    if scanned {
        // Files of other lists stay known too, up to a bound.
        kept.retain(|(s, _)| !files.contains(&s.path));
        let keep: Vec<(&Stamp, &Option<Names>)> = each
            .iter()
            .filter(|(_, _, steady)| *steady)
            .map(|(s, n, _)| (s, n))
            .chain(kept.iter().map(|(s, n)| (s, n)))
            .take(names_cache::MAX_FILES)
            .collect();
        names_cache::write(&keep);
    }
    let each = each.into_iter().filter_map(|(_, names, _)| names);
    Ok(Names::merged(each))
}

/// What identifies one version of a file, for the names cache.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Stamp {
    path: String,
    /// `None` when the file does not exist.
    id: Option<[i64; 7]>,
}

impl Stamp {
    fn of(path: &str) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let id = std::fs::metadata(path).ok().map(|m| {
            [
                m.dev() as i64,
                m.ino() as i64,
                m.size() as i64,
                m.mtime(),
                m.mtime_nsec(),
                m.ctime(),
                m.ctime_nsec(),
            ]
        });
        Stamp {
            path: path.to_string(),
            id,
        }
    }
}

/// The names of the files of the last list completed, in
/// `$XDG_STATE_HOME/kauth/completion-names.json`. Failing to read or write
/// it only costs a scan.
mod names_cache {
    use super::{Names, Stamp};

    /// Each file's identity and its names (`None`: the file did not exist).
    type Cache = Vec<(Stamp, Option<Names>)>;

    fn file() -> Option<std::path::PathBuf> {
        crate::state::state_dir().map(|d| d.join("completion-names.json"))
    }

    pub fn read() -> Cache {
        file()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The most files whose names are kept.
    pub const MAX_FILES: usize = 256;

    pub fn write(cache: &[(&Stamp, &Option<Names>)]) {
        let Some(file) = file() else { return };
        if let Ok(text) = serde_json::to_vec(cache) {
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = crate::atomic::write(&file, &text, 0o600);
        }
    }
}

/// One file's names; `None` when it does not exist.
fn file_names(file: &str) -> Result<Option<Names>> {
    match std::fs::read(file) {
        Ok(bytes) => names_in(file, &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::Read {
            file: file.to_string(),
            source,
        }),
    }
}

fn names_in(file: &str, bytes: &[u8]) -> Result<Option<Names>> {
    let load = |source: model::DecodeError| StoreError::Load {
        file: file.to_string(),
        source,
    };
    let text = kauth_formats::yaml::text(bytes).map_err(|e| load(e.into()))?;
    Ok(Some(match names::scan(text) {
        Some(names) => names,
        None => Names::of(&model::decode(text, file).map_err(load)?),
    }))
}
