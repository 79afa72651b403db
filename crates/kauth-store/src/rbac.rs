//! Reading RBAC objects from files and directories (`--rbac PATH`).

use std::path::{Path, PathBuf};

use kauth_auth::authz::rbac::{LoadError, Policy};

#[derive(Debug, thiserror::Error)]
pub enum RbacFilesError {
    #[error("cannot read `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// YAML and JSON files of `path`: itself, or every `*.yaml`, `*.yml` and
/// `*.json` below it, in name order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), RbacFilesError> {
    let meta = std::fs::metadata(path).map_err(|source| RbacFilesError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|source| RbacFilesError::Read {
            path: path.to_path_buf(),
            source,
        })?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            collect(&e, out)?;
        } else if e
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            out.push(e);
        }
    }
    Ok(())
}

/// The policy from `paths`, on top of kube-apiserver's defaults unless
/// `no_defaults`, aggregated and indexed. Returns it with the number of
/// objects read from the paths.
pub fn load(paths: &[PathBuf], no_defaults: bool) -> Result<(Policy, usize), RbacFilesError> {
    let mut policy = if no_defaults {
        Policy::default()
    } else {
        kauth_auth::authz::default_policy()
    };
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files)?;
    }
    let mut count = 0;
    for f in files {
        let bytes = std::fs::read(&f).map_err(|source| RbacFilesError::Read {
            path: f.clone(),
            source,
        })?;
        let origin = f.display().to_string();
        let text = kauth_formats::yaml::text(&bytes).map_err(|e| LoadError::Syntax {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        count += policy.add_text(text, &origin)?;
    }
    policy.aggregate();
    policy.index();
    Ok((policy, count))
}
