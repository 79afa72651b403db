//! kauth's own CA for labs and tests, in its data directory, created on
//! first use the way mkcert creates its root: `$KAUTH_CAROOT`, else
//! `$XDG_DATA_HOME/kauth/ca`, else `~/.local/share/kauth/ca` (on macOS
//! `~/Library/Application Support/kauth/ca`).

use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};

use super::env;
use super::files::{self, Access, FileError, Output};
use kauth_pki::ca::{Ca, CaError};
use kauth_pki::cert;
use kauth_pki::key::{KeyAlgorithm, PrivateKey};

pub const CA_CERT: &str = "ca.crt";
pub const CA_KEY: &str = "ca.key";
pub const DEFAULT_CN: &str = "kauth local CA";
pub const CA_VALIDITY: Duration = Duration::days(3650);

#[derive(Debug, thiserror::Error)]
pub enum LocalCaError {
    #[error("cannot find a home directory for the local CA; set KAUTH_CAROOT")]
    NoHome,
    #[error(transparent)]
    File(#[from] FileError),
    #[error("local CA in `{}`: {source}", .dir.display())]
    Ca {
        dir: PathBuf,
        #[source]
        source: CaError,
    },
    #[error("local CA in `{}`: `{}`: {reason}", .dir.display(), .file)]
    Unreadable {
        dir: PathBuf,
        file: &'static str,
        reason: String,
    },
}

/// Where the local CA lives.
pub fn ca_dir() -> Result<PathBuf, LocalCaError> {
    if let Some(dir) = std::env::var_os(env::KAUTH_CAROOT).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(data) = std::env::var_os(env::XDG_DATA_HOME).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(data).join("kauth/ca"));
    }
    let home = std::env::var_os(env::HOME)
        .filter(|h| !h.is_empty())
        .ok_or(LocalCaError::NoHome)?;
    let base = if cfg!(target_os = "macos") {
        PathBuf::from(home).join("Library/Application Support")
    } else {
        PathBuf::from(home).join(".local/share")
    };
    Ok(base.join("kauth/ca"))
}

/// Loads the CA in `dir`.
pub fn load(dir: &Path) -> Result<Ca, LocalCaError> {
    let read = |file: &'static str| {
        std::fs::read(dir.join(file)).map_err(|e| LocalCaError::Unreadable {
            dir: dir.to_path_buf(),
            file,
            reason: e.to_string(),
        })
    };
    let cert_pem = read(CA_CERT)?;
    let key_pem = read(CA_KEY)?;
    let cert_der = cert::certificates_from_pem(&cert_pem)
        .map_err(|e| LocalCaError::Unreadable {
            dir: dir.to_path_buf(),
            file: CA_CERT,
            reason: e.to_string(),
        })?
        .remove(0);
    let key = PrivateKey::from_pem(&String::from_utf8_lossy(&key_pem)).map_err(|e| {
        LocalCaError::Unreadable {
            dir: dir.to_path_buf(),
            file: CA_KEY,
            reason: e.to_string(),
        }
    })?;
    Ca::new(cert_der, key).map_err(|source| LocalCaError::Ca {
        dir: dir.to_path_buf(),
        source,
    })
}

/// Creates a CA in `dir` (which must not hold one unless `force`).
pub fn init(
    dir: &Path,
    common_name: &str,
    algorithm: KeyAlgorithm,
    now: OffsetDateTime,
    force: bool,
) -> Result<Ca, LocalCaError> {
    let ca = Ca::create(common_name, algorithm, now, CA_VALIDITY).map_err(|source| {
        LocalCaError::Ca {
            dir: dir.to_path_buf(),
            source,
        }
    })?;
    create_private_dir(dir)?;
    let cert_pem = cert::to_pem("CERTIFICATE", &ca.cert_der);
    let key_pem = ca.key.to_pem();
    files::write_all(
        &[
            Output {
                path: &dir.join(CA_KEY),
                contents: key_pem.as_bytes(),
                access: Access::Private,
            },
            Output {
                path: &dir.join(CA_CERT),
                contents: cert_pem.as_bytes(),
                access: Access::Public,
            },
        ],
        force,
    )?;
    Ok(ca)
}

/// The local CA, created first when there is none. Returns whether it was
/// created. Two kauth processes creating it at once end with one CA:
/// the key file is created exclusively, and the loser loads the winner's.
pub fn load_or_create(now: OffsetDateTime) -> Result<(Ca, PathBuf, bool), LocalCaError> {
    let dir = ca_dir()?;
    if dir.join(CA_CERT).exists() {
        return Ok((load(&dir)?, dir, false));
    }
    match init(&dir, DEFAULT_CN, KeyAlgorithm::EcdsaP256, now, false) {
        Ok(ca) => Ok((ca, dir, true)),
        Err(LocalCaError::File(FileError::Exists(_))) => {
            // Another process is creating it: wait for its certificate.
            for _ in 0..50 {
                if let Ok(ca) = load(&dir) {
                    return Ok((ca, dir, false));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok((load(&dir)?, dir, false))
        }
        Err(e) => Err(e),
    }
}

fn create_private_dir(dir: &Path) -> Result<(), LocalCaError> {
    let err = |source| {
        LocalCaError::File(FileError::Write {
            path: dir.to_path_buf(),
            source,
        })
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(err)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map_err(err)
    }
}
