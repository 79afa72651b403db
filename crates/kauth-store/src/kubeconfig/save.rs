//! Writing kubeconfig changes back the way `kubectl config` does.
//!
//! Upstream: `ModifyConfig` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/config.go`, and
//! `WriteToFile` in `loader.go`. Edits land in the file that defines the
//! entry (its `origin`), new entries in the default file, exactly as there;
//! the differences are that kauth waits for the lock and writes atomically,
//! and that a file kubectl did not write keeps its comments and layout
//! (`kauth_kubeconfig::lossless`).

use std::path::Path;

use kauth_kubeconfig::model::{self, Config};
use kauth_kubeconfig::{lossless, paths};

use super::load::config_from_file;
use super::{PathOptions, Result, StoreError, starting_config};
use crate::{atomic, lock};

/// Writes a whole file the way kubectl serialises it; new files are 0600.
pub fn write_file(config: &Config, file: &str) -> Result<()> {
    let text = model::to_yaml(config);
    atomic::write(Path::new(file), text.as_bytes(), 0o600).map_err(|source| StoreError::Write {
        file: file.to_string(),
        source,
    })
}

/// Writes an edited file: as kubectl writes it where the file is new or
/// kubectl-shaped, as a patch of its text where not.
fn update_file(config: &Config, file: &str) -> Result<()> {
    let original = match std::fs::read(file) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(StoreError::Read {
                file: file.to_string(),
                source,
            });
        }
    };
    let original = original
        .as_deref()
        .and_then(|b| kauth_formats::yaml::text(b).ok());
    let (text, _) = lossless::render(original, config);
    atomic::write(Path::new(file), text.as_bytes(), 0o600).map_err(|source| StoreError::Write {
        file: file.to_string(),
        source,
    })
}

/// Runs `edit` on the starting config under the lock of every file in
/// play and saves what changed (client-go's `ModifyConfig`). `edit` returns
/// a value for the caller; an error from it leaves every file untouched.
pub fn modify<T, E: From<StoreError>>(
    opts: &PathOptions,
    relativize: bool,
    edit: impl FnOnce(&mut Config) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let timeout = opts.lock_timeout.clone().map_err(StoreError::Setting)?;
    let _locks = lock::lock_all(&opts.precedence(), timeout).map_err(StoreError::from)?;
    for file in opts.precedence().iter().filter(|f| !f.is_empty()) {
        atomic::remove_leftovers(Path::new(file));
    }
    let starting = starting_config(opts)?;
    let mut new = starting.clone();
    let out = edit(&mut new)?;
    save_changes(opts, &starting, &new, relativize)?;
    Ok(out)
}

fn dest_for(origin: &str, opts: &PathOptions) -> String {
    if origin.is_empty() {
        opts.default_filename()
    } else {
        origin.to_string()
    }
}

fn abs_dir(opts: &PathOptions, file: &str) -> String {
    paths::abs(&opts.cwd, &paths::dir(file))
}

fn save_changes(
    opts: &PathOptions,
    starting: &Config,
    new: &Config,
    relativize: bool,
) -> Result<()> {
    if starting == new {
        return Ok(());
    }
    if starting.current_context != new.current_context {
        write_current_context(opts, starting, &new.current_context)?;
    }
    if starting.preferences != new.preferences {
        write_preferences(opts, new)?;
    }
    // Every change to one file is made on one copy of it, written once:
    // the same file kubectl leaves after writing it once per entry.
    let mut files = Pending::default();
    for (name, cluster) in &new.clusters {
        if starting.clusters.get(name) != Some(cluster) {
            let dest = dest_for(&cluster.origin, opts);
            let mut c = cluster.clone();
            c.origin = dest.clone();
            if relativize {
                paths::relativize_cluster(&mut c, &abs_dir(opts, &dest));
            }
            files.get(&dest)?.clusters.insert(name.clone(), c);
        }
    }
    for (name, context) in &new.contexts {
        if starting.contexts.get(name) != Some(context) {
            let dest = dest_for(&context.origin, opts);
            files
                .get(&dest)?
                .contexts
                .insert(name.clone(), context.clone());
        }
    }
    for (name, user) in &new.auth_infos {
        if starting.auth_infos.get(name) != Some(user) {
            let dest = dest_for(&user.origin, opts);
            let mut u = user.clone();
            u.origin = dest.clone();
            if relativize {
                paths::relativize_auth_info(&mut u, &abs_dir(opts, &dest));
            }
            files.get(&dest)?.auth_infos.insert(name.clone(), u);
        }
    }
    for (name, c) in &starting.clusters {
        if !new.clusters.contains_key(name) {
            files.get(&dest_for(&c.origin, opts))?.clusters.remove(name);
        }
    }
    for (name, c) in &starting.contexts {
        if !new.contexts.contains_key(name) {
            files.get(&dest_for(&c.origin, opts))?.contexts.remove(name);
        }
    }
    for (name, u) in &starting.auth_infos {
        if !new.auth_infos.contains_key(name) {
            files
                .get(&dest_for(&u.origin, opts))?
                .auth_infos
                .remove(name);
        }
    }
    files.write()
}

/// The files an edit changes, each read once, in the order first touched.
#[derive(Default)]
struct Pending {
    files: Vec<(String, Config)>,
}

impl Pending {
    fn get(&mut self, dest: &str) -> Result<&mut Config> {
        let index = match self.files.iter().position(|(f, _)| f == dest) {
            Some(i) => i,
            None => {
                self.files.push((dest.to_string(), config_from_file(dest)?));
                self.files.len() - 1
            }
        };
        Ok(&mut self.files[index].1)
    }

    fn write(self) -> Result<()> {
        for (dest, config) in &self.files {
            update_file(config, dest)?;
        }
        Ok(())
    }
}

fn write_current_context(opts: &PathOptions, starting: &Config, new_context: &str) -> Result<()> {
    if starting.current_context == new_context {
        return Ok(());
    }
    if let Some(file) = &opts.explicit {
        let mut config = config_from_file(file)?;
        config.current_context = new_context.to_string();
        return update_file(&config, file);
    }
    if !new_context.is_empty() {
        let dest = opts.default_filename();
        let mut config = config_from_file(&dest)?;
        config.current_context = new_context.to_string();
        return update_file(&config, &dest);
    }
    // Clearing: find the first file that sets it.
    for file in opts.precedence() {
        if Path::new(&file).exists() {
            let mut config = config_from_file(&file)?;
            if !config.current_context.is_empty() {
                config.current_context.clear();
                return update_file(&config, &file);
            }
        }
    }
    Err(StoreError::NoFileForContext)
}

fn write_preferences(opts: &PathOptions, new: &Config) -> Result<()> {
    if let Some(file) = &opts.explicit {
        let mut config = config_from_file(file)?;
        config.preferences = new.preferences.clone();
        return update_file(&config, file);
    }
    for file in opts.precedence() {
        let mut config = config_from_file(&file)?;
        if config.preferences != new.preferences {
            config.preferences = new.preferences.clone();
            return update_file(&config, &file);
        }
    }
    Err(StoreError::NoFileForPreferences)
}
