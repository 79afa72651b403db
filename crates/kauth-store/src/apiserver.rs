//! Reading kube-apiserver's configuration from disk: the manifest or flags
//! file, then a check that every file its flags name is there (the server
//! would not start without them). The reading rules are
//! `kauth_auth::apiserver`'s.

use std::path::Path;

use kauth_auth::apiserver::{
    self, AuthenticationFile, AuthorizationFile, ConfigError, Flags, PathMap, Settings,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiServerError {
    #[error("`{file}`: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("`{file}`: {source}")]
    Config { file: String, source: ConfigError },
    #[error("`--{flag}` names `{path}`, which does not exist (as the server would see it)")]
    Missing { flag: String, path: String },
}

/// The largest configuration file read: a manifest is a few kilobytes.
const MAX_CONFIG: u64 = 1 << 20;

/// The settings of the server configured by `file` (a static pod manifest
/// or a file of flags). `root` is put before every absolute path the flags
/// name, for a copy of a node's files (`--apiserver-root`).
pub fn load(file: &str, root: Option<&str>) -> Result<Settings, ApiServerError> {
    let text = read_small(file)?;
    let (flags, paths) =
        apiserver::from_file_text(&text).map_err(|source| ApiServerError::Config {
            file: file.to_string(),
            source,
        })?;
    settings(file, &flags, paths, root)
}

/// The settings of a server started with `words` (`--apiserver-flags`).
pub fn load_flags(words: &str, root: Option<&str>) -> Result<Settings, ApiServerError> {
    let what = "--apiserver-flags";
    let flags = Flags::parse_text(words).map_err(|source| ApiServerError::Config {
        file: what.to_string(),
        source,
    })?;
    settings(what, &flags, PathMap::default(), root)
}

fn settings(
    file: &str,
    flags: &Flags,
    mut paths: PathMap,
    root: Option<&str>,
) -> Result<Settings, ApiServerError> {
    if let Some(root) = root {
        for (_, host) in paths.mounts.iter_mut() {
            *host = format!("{}{host}", root.trim_end_matches('/'));
        }
        paths.mounts.push(("/".to_string(), root.to_string()));
    }
    let settings =
        Settings::from_flags(flags, &paths).map_err(|source| ApiServerError::Config {
            file: file.to_string(),
            source,
        })?;
    for (flag, path) in settings.files() {
        if !Path::new(path).exists() {
            return Err(ApiServerError::Missing {
                flag: flag.to_string(),
                path: path.to_string(),
            });
        }
    }
    let mut settings = settings;
    if let Some(path) = settings.authorization_config.clone() {
        let text = read_small(&path)?;
        let parsed = AuthorizationFile::parse(&text).map_err(|source| ApiServerError::Config {
            file: path.clone(),
            source,
        })?;
        settings = settings.with_authorization_file(parsed);
    }
    let Some(path) = settings.authentication_config.clone() else {
        return Ok(settings);
    };
    let text = read_small(&path)?;
    let config = |source| ApiServerError::Config {
        file: path.clone(),
        source,
    };
    let parsed = AuthenticationFile::parse(&text).map_err(config)?;
    settings
        .with_authentication_file(parsed)
        .map_err(|source| ApiServerError::Config {
            file: file.to_string(),
            source,
        })
}

fn read_small(file: &str) -> Result<String, ApiServerError> {
    use std::io::Read;
    let read = |source| ApiServerError::Read {
        file: file.to_string(),
        source,
    };
    let mut text = String::new();
    std::fs::File::open(file)
        .map_err(read)?
        .take(MAX_CONFIG + 1)
        .read_to_string(&mut text)
        .map_err(read)?;
    if text.len() as u64 > MAX_CONFIG {
        return Err(read(std::io::Error::other(
            "larger than 1 MiB: not a kube-apiserver manifest or flags file",
        )));
    }
    Ok(text)
}
