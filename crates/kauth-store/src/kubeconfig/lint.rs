//! `config lint`'s checks that need the file system and the environment:
//! the files entries name (certificate-authority, client-certificate,
//! client-key, tokenFile) and what the certificates and keys in them or in
//! the entries' `*-data` say, exec plugins on `PATH`, and the modes of
//! files holding secrets. The config-only checks are
//! `kauth_kubeconfig::lint`'s; both are sorted into one report here.
//!
//! Relative paths resolve against the directory of the kubeconfig that
//! holds the entry, as client-go's `ResolveLocalPaths` (`loader.go`) does;
//! an exec command resolves that way only when it holds a `/`
//! (`GetAuthInfoFileReferences`), else it is looked up on `PATH` as Go's
//! `exec.LookPath` does when client-go's `exec.go` runs it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use time::{Duration, OffsetDateTime};

use kauth_kubeconfig::lint::{self, Code, Finding, Subject, holds_secrets};
use kauth_kubeconfig::model::{AuthInfo, Cluster, Config, ExecConfig};
use kauth_kubeconfig::usage::EntryKind;
use kauth_pki::inspect::{self, Expiry};
use kauth_pki::key::PrivateKey;

use super::{PathOptions, Removal, Result, StoreError, load_files, prune, referenced_path};
use crate::{env, lock};

/// What the edge decides for the checks: the moment and the horizon.
#[derive(Debug, Clone, Copy)]
pub struct LintSettings {
    pub now: OffsetDateTime,
    /// A certificate ending sooner than this from `now` is reported.
    pub within: Duration,
}

#[derive(Debug, Clone)]
pub struct Report {
    /// The files read, in loading order.
    pub files: Vec<String>,
    /// Sorted as `kauth_kubeconfig::lint::sort` sorts.
    pub findings: Vec<Finding>,
}

/// Every finding in the kubeconfig files in play. A file that cannot be
/// read or decoded is an error, not a finding.
pub fn lint(opts: &PathOptions, settings: &LintSettings) -> Result<Report> {
    let files = load_files(opts)?;
    let mut findings = lint::check(&files);
    let path = std::env::var(env::PATH).unwrap_or_default();
    for (file, config) in &files {
        let checker = Checker {
            opts,
            file,
            settings,
            path: &path,
        };
        checker.check(config, &mut findings);
    }
    let names: Vec<String> = files.into_iter().map(|(f, _)| f).collect();
    lint::sort(&mut findings, &names);
    Ok(Report {
        files: names,
        findings,
    })
}

/// What `lint --fix` changed.
#[derive(Debug, Clone, Default)]
pub struct Fixed {
    pub removed: Vec<Removal>,
    /// Files made 0600, with their old mode.
    pub chmodded: Vec<(String, u32)>,
}

/// The safe fixes: prune the unused clusters and users, and make each file
/// holding secrets that group or others can read 0600 (under the lock).
pub fn fix(opts: &PathOptions) -> Result<Fixed> {
    let removed = prune(opts, |_, _| true, false)?;
    let timeout = opts.lock_timeout.clone().map_err(StoreError::Setting)?;
    let _locks = lock::lock_all(&opts.precedence(), timeout)?;
    let mut chmodded = Vec::new();
    for (file, config) in load_files(opts)? {
        let Some(mode) = readable_by_others(&file, &config) else {
            continue;
        };
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(
            |source| StoreError::Write {
                file: file.clone(),
                source,
            },
        )?;
        chmodded.push((file, mode));
    }
    Ok(Fixed { removed, chmodded })
}

/// The file's mode when it holds secrets and group or others may read it.
fn readable_by_others(file: &str, config: &Config) -> Option<u32> {
    let mode = std::fs::metadata(file).ok()?.permissions().mode() & 0o7777;
    (mode & 0o044 != 0 && holds_secrets(config)).then_some(mode)
}

struct Checker<'a> {
    opts: &'a PathOptions,
    file: &'a str,
    settings: &'a LintSettings,
    path: &'a str,
}

/// Certificates or a key, and where they came from (for messages).
struct Material {
    bytes: Vec<u8>,
    source: String,
}

impl Checker<'_> {
    fn check(&self, config: &Config, out: &mut Vec<Finding>) {
        if let Some(mode) = readable_by_others(self.file, config) {
            out.push(Finding::new(
                Code::SecretFileMode,
                self.file,
                Subject::File,
                format!(
                    "the file holds credentials and its mode {mode:04o} lets group or others read it; make it 0600"
                ),
            ));
        }
        for (name, cluster) in &config.clusters {
            self.cluster(name, cluster, out);
        }
        for (name, user) in &config.auth_infos {
            self.user(name, user, out);
        }
    }

    fn finding(&self, code: Code, kind: EntryKind, name: &str, message: String) -> Finding {
        Finding::new(
            code,
            self.file,
            Subject::Entry(kind, name.to_string()),
            message,
        )
    }

    /// The bytes of `data`, else of the file `path` names. `None` when
    /// neither is set or the file is missing (reported here).
    fn material(
        &self,
        kind: EntryKind,
        name: &str,
        field: &str,
        data: &[u8],
        path: &str,
        out: &mut Vec<Finding>,
    ) -> Option<Material> {
        let from_file = self.referenced(kind, name, field, path, out);
        if !data.is_empty() {
            return Some(Material {
                bytes: data.to_vec(),
                source: format!("{field}-data"),
            });
        }
        let full = from_file?;
        match std::fs::read(&full) {
            Ok(bytes) => Some(Material {
                bytes,
                source: format!("{field} {path}"),
            }),
            Err(e) => {
                out.push(self.finding(
                    Code::MissingFile,
                    kind,
                    name,
                    format!(
                        "{} `{name}`: {field} {path} cannot be read: {e}",
                        kind.as_str()
                    ),
                ));
                None
            }
        }
    }

    /// Checks that the file a field names exists; its resolved path.
    fn referenced(
        &self,
        kind: EntryKind,
        name: &str,
        field: &str,
        path: &str,
        out: &mut Vec<Finding>,
    ) -> Option<String> {
        if path.is_empty() {
            return None;
        }
        let full = referenced_path(self.opts, self.file, path);
        if Path::new(&full).exists() {
            return Some(full);
        }
        let resolved = if full == path {
            String::new()
        } else {
            format!(" (resolved to {full})")
        };
        out.push(self.finding(
            Code::MissingFile,
            kind,
            name,
            format!(
                "{} `{name}`: {field} {path} does not exist{resolved}",
                kind.as_str()
            ),
        ));
        None
    }

    fn cluster(&self, name: &str, cluster: &Cluster, out: &mut Vec<Finding>) {
        let kind = EntryKind::Cluster;
        if let Some(ca) = self.material(
            kind,
            name,
            "certificate-authority",
            &cluster.certificate_authority_data,
            &cluster.certificate_authority,
            out,
        ) {
            self.certificates(kind, name, "CA certificate", &ca, out);
        }
    }

    fn user(&self, name: &str, user: &AuthInfo, out: &mut Vec<Finding>) {
        let kind = EntryKind::User;
        let cert = self.material(
            kind,
            name,
            "client-certificate",
            &user.client_certificate_data,
            &user.client_certificate,
            out,
        );
        let key = self.material(
            kind,
            name,
            "client-key",
            &user.client_key_data,
            &user.client_key,
            out,
        );
        self.referenced(kind, name, "tokenFile", &user.token_file, out);
        let leaf = cert
            .as_ref()
            .and_then(|c| self.certificates(kind, name, "client certificate", c, out));
        if let Some(key) = key {
            self.key(name, &key, leaf.as_deref(), out);
        }
        if let Some(exec) = &user.exec {
            self.exec(name, exec, out);
        }
    }

    /// Reports unreadable, expired and expiring certificates; returns the
    /// first one (the leaf of a client chain).
    fn certificates(
        &self,
        kind: EntryKind,
        name: &str,
        what: &str,
        material: &Material,
        out: &mut Vec<Finding>,
    ) -> Option<Vec<u8>> {
        let prefix = format!("{} `{name}`", kind.as_str());
        let certs = match kauth_pki::cert::certificates_from_pem(&material.bytes) {
            Ok(certs) => certs,
            Err(e) => {
                out.push(self.finding(
                    Code::UnreadableCertificate,
                    kind,
                    name,
                    format!(
                        "{prefix}: {} holds no readable certificate: {e}",
                        material.source
                    ),
                ));
                return None;
            }
        };
        for der in &certs {
            let (subject, state) =
                match inspect::expiry(der, self.settings.now, self.settings.within) {
                    Ok(found) => found,
                    Err(e) => {
                        out.push(self.finding(
                            Code::UnreadableCertificate,
                            kind,
                            name,
                            format!("{prefix}: {}: {e}", material.source),
                        ));
                        continue;
                    }
                };
            let (code, when) = match state {
                Expiry::Valid => continue,
                Expiry::Expiring(at) => (
                    Code::ExpiringCertificate,
                    format!("expires {}", rfc3339(at)),
                ),
                Expiry::Expired(at) => {
                    (Code::ExpiredCertificate, format!("expired {}", rfc3339(at)))
                }
            };
            out.push(self.finding(
                code,
                kind,
                name,
                format!("{prefix}: {what} `{subject}` ({}) {when}", material.source),
            ));
        }
        certs.into_iter().next()
    }

    fn key(&self, name: &str, key: &Material, leaf: Option<&[u8]>, out: &mut Vec<Finding>) {
        let kind = EntryKind::User;
        let parsed = std::str::from_utf8(&key.bytes)
            .map_err(|_| "not PEM text".to_string())
            .and_then(|text| PrivateKey::from_pem(text).map_err(|e| e.to_string()));
        let key_pair = match parsed {
            Ok(k) => k,
            Err(e) => {
                out.push(self.finding(
                    Code::UnreadableKey,
                    kind,
                    name,
                    format!(
                        "user `{name}`: the client key ({}) cannot be read: {e}",
                        key.source
                    ),
                ));
                return;
            }
        };
        let Some(leaf) = leaf else { return };
        if let Ok(false) = inspect::key_matches(leaf, &key_pair) {
            out.push(self.finding(
                Code::KeyMismatch,
                kind,
                name,
                format!(
                    "user `{name}`: the client key ({}) is not the key of the client certificate (their public keys differ)",
                    key.source
                ),
            ));
        }
    }

    fn exec(&self, name: &str, exec: &ExecConfig, out: &mut Vec<Finding>) {
        let command = &exec.command;
        let problem = if command.is_empty() {
            Some("names no command".to_string())
        } else if command.contains('/') {
            let full = referenced_path(self.opts, self.file, command);
            match executable(&full) {
                Ok(()) => None,
                Err(why) if full == *command => Some(format!("command {command} {why}")),
                Err(why) => Some(format!("command {command} {why} (resolved to {full})")),
            }
        } else if look_path(command, self.path) {
            None
        } else {
            Some(format!("command {command} is not found on PATH"))
        };
        if let Some(problem) = problem {
            out.push(self.finding(
                Code::ExecNotFound,
                EntryKind::User,
                name,
                format!("user `{name}`: exec plugin {problem}"),
            ));
        }
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    kauth_formats::time::rfc3339(at)
}

/// Go's `findExecutable`: a file (not a directory) with an execute bit.
fn executable(path: &str) -> std::result::Result<(), &'static str> {
    match std::fs::metadata(path) {
        Err(_) => Err("does not exist"),
        Ok(m) if m.is_dir() => Err("is a directory"),
        Ok(m) if m.permissions().mode() & 0o111 == 0 => Err("is not executable"),
        Ok(_) => Ok(()),
    }
}

/// Go's `exec.LookPath` on Unix as `exec.Command` uses it: each `PATH`
/// entry in turn (an empty one is `.`). A command found through a relative
/// entry is refused since Go 1.19 (`exec.ErrDot`), so only absolute
/// entries can find it.
fn look_path(command: &str, path: &str) -> bool {
    path.split(':')
        .filter(|dir| dir.starts_with('/'))
        .any(|dir| executable(&format!("{dir}/{command}")).is_ok())
}
