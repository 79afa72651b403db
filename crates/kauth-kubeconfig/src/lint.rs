//! `kauth config lint`: what is wrong or risky in the files of a
//! `KUBECONFIG` list, from the config alone. The checks that need the file
//! system (referenced files, modes, `PATH`, certificates) are in
//! `kauth-store`, which adds their findings to these.
//!
//! Which entries a check looks at:
//! - references (dangling, unused) are judged on the merged config, as
//!   client-go resolves them (`merge.rs`, `usage.rs`); an unused name is
//!   reported in every file that defines it, since every copy is dead;
//! - duplicates name each copy after the first, the one client-go ignores;
//! - what an entry holds (secrets, `insecure-skip-tls-verify`) is checked
//!   in every entry of every file: a shadowed copy is still in its file.
//!
//! No finding ever holds a secret value: messages name entries, fields and
//! paths only.

use std::collections::BTreeMap;

use super::merge::merge;
use super::model::{AuthInfo, Config};
use super::usage::{self, EntryKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Each kind of finding, with its stable code (part of `-o json`'s
/// contract: codes are added, never renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    DanglingCurrentContext,
    DanglingCluster,
    DanglingUser,
    UnusedCluster,
    UnusedUser,
    DuplicateCluster,
    DuplicateUser,
    DuplicateContext,
    MissingFile,
    UnreadableCertificate,
    ExpiredCertificate,
    ExpiringCertificate,
    UnreadableKey,
    KeyMismatch,
    InsecureSkipTlsVerify,
    PlainTextPassword,
    StaticToken,
    ExecNotFound,
    SecretFileMode,
}

impl Code {
    pub const ALL: [Code; 19] = [
        Code::DanglingCurrentContext,
        Code::DanglingCluster,
        Code::DanglingUser,
        Code::UnusedCluster,
        Code::UnusedUser,
        Code::DuplicateCluster,
        Code::DuplicateUser,
        Code::DuplicateContext,
        Code::MissingFile,
        Code::UnreadableCertificate,
        Code::ExpiredCertificate,
        Code::ExpiringCertificate,
        Code::UnreadableKey,
        Code::KeyMismatch,
        Code::InsecureSkipTlsVerify,
        Code::PlainTextPassword,
        Code::StaticToken,
        Code::ExecNotFound,
        Code::SecretFileMode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::DanglingCurrentContext => "dangling-current-context",
            Code::DanglingCluster => "dangling-cluster",
            Code::DanglingUser => "dangling-user",
            Code::UnusedCluster => "unused-cluster",
            Code::UnusedUser => "unused-user",
            Code::DuplicateCluster => "duplicate-cluster",
            Code::DuplicateUser => "duplicate-user",
            Code::DuplicateContext => "duplicate-context",
            Code::MissingFile => "missing-file",
            Code::UnreadableCertificate => "unreadable-certificate",
            Code::ExpiredCertificate => "expired-certificate",
            Code::ExpiringCertificate => "expiring-certificate",
            Code::UnreadableKey => "unreadable-key",
            Code::KeyMismatch => "key-mismatch",
            Code::InsecureSkipTlsVerify => "insecure-skip-tls-verify",
            Code::PlainTextPassword => "plain-text-password",
            Code::StaticToken => "static-token",
            Code::ExecNotFound => "exec-not-found",
            Code::SecretFileMode => "secret-file-mode",
        }
    }

    /// Errors break a context (a client cannot use it as it stands);
    /// warnings are risks and clutter.
    pub fn severity(self) -> Severity {
        match self {
            Code::DanglingCurrentContext
            | Code::DanglingCluster
            | Code::DanglingUser
            | Code::MissingFile
            | Code::UnreadableCertificate
            | Code::ExpiredCertificate
            | Code::UnreadableKey
            | Code::KeyMismatch
            | Code::ExecNotFound => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// Whether `config lint --fix` repairs it (pruning, `chmod 0600`).
    pub fn fixable(self) -> bool {
        matches!(
            self,
            Code::UnusedCluster | Code::UnusedUser | Code::SecretFileMode
        )
    }
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// The file's `current-context`, naming this context.
    CurrentContext(String),
    Entry(EntryKind, String),
    /// The file itself.
    File,
}

impl Subject {
    /// `current-context`, `context`, `cluster`, `user` or `file`.
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::CurrentContext(_) => "current-context",
            Subject::Entry(kind, _) => kind.as_str(),
            Subject::File => "file",
        }
    }

    /// The entry's name (the context's, for `current-context`); empty for
    /// the file.
    pub fn name(&self) -> &str {
        match self {
            Subject::CurrentContext(name) | Subject::Entry(_, name) => name,
            Subject::File => "",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Subject::File => 0,
            Subject::CurrentContext(_) => 1,
            Subject::Entry(EntryKind::Context, _) => 2,
            Subject::Entry(EntryKind::Cluster, _) => 3,
            Subject::Entry(EntryKind::User, _) => 4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    /// The kubeconfig file, as named in `KUBECONFIG` or `--kubeconfig`.
    pub file: String,
    pub subject: Subject,
    /// One line, no secret.
    pub message: String,
}

impl Finding {
    pub fn new(
        code: Code,
        file: impl Into<String>,
        subject: Subject,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            file: file.into(),
            subject,
            message: message.into(),
        }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// Sorts findings in their stable order: by file (in `files`' order, the
/// loading order), then the file itself, its current-context, contexts,
/// clusters and users, each by name, then by code.
pub fn sort(findings: &mut [Finding], files: &[String]) {
    let index = |f: &str| files.iter().position(|x| x == f).unwrap_or(files.len());
    findings.sort_by(|a, b| {
        (
            index(&a.file),
            a.subject.rank(),
            a.subject.name(),
            a.code,
            &a.message,
        )
            .cmp(&(
                index(&b.file),
                b.subject.rank(),
                b.subject.name(),
                b.code,
                &b.message,
            ))
    });
}

/// The checks that need only the files' contents. `files` are the files
/// that exist, in loading order, each with its decoded config.
pub fn check(files: &[(String, Config)]) -> Vec<Finding> {
    let merged = merge(files.iter().map(|(_, c)| c.clone()));
    let mut out = Vec::new();
    references(files, &merged, &mut out);
    duplicates(files, &mut out);
    for (file, config) in files {
        contents(file, config, &mut out);
    }
    out
}

fn references(files: &[(String, Config)], merged: &Config, out: &mut Vec<Finding>) {
    if !merged.current_context.is_empty() && !merged.contexts.contains_key(&merged.current_context)
    {
        // The first file that sets it is the one whose value is in effect.
        let file = files
            .iter()
            .find(|(_, c)| !c.current_context.is_empty())
            .map_or("", |(f, _)| f.as_str());
        out.push(Finding::new(
            Code::DanglingCurrentContext,
            file,
            Subject::CurrentContext(merged.current_context.clone()),
            format!(
                "current-context names context `{}`, which no file defines",
                merged.current_context
            ),
        ));
    }
    for (name, context) in &merged.contexts {
        let subject = || Subject::Entry(EntryKind::Context, name.clone());
        for (code, kind, target, defined) in [
            (
                Code::DanglingCluster,
                "cluster",
                &context.cluster,
                merged.clusters.contains_key(&context.cluster),
            ),
            (
                Code::DanglingUser,
                "user",
                &context.auth_info,
                merged.auth_infos.contains_key(&context.auth_info),
            ),
        ] {
            if defined {
                continue;
            }
            let message = if target.is_empty() {
                format!("context `{name}` names no {kind}")
            } else {
                format!("context `{name}` names {kind} `{target}`, which no file defines")
            };
            out.push(Finding::new(code, &context.origin, subject(), message));
        }
    }
    let unused = usage::unused(merged);
    for (kind, name) in unused.entries() {
        let code = match kind {
            EntryKind::Cluster => Code::UnusedCluster,
            _ => Code::UnusedUser,
        };
        for (file, config) in files {
            let defined = match kind {
                EntryKind::Cluster => config.clusters.contains_key(name),
                _ => config.auth_infos.contains_key(name),
            };
            if defined {
                out.push(Finding::new(
                    code,
                    file,
                    Subject::Entry(kind, name.to_string()),
                    format!("{} `{name}` is used by no context", kind.as_str()),
                ));
            }
        }
    }
}

fn duplicates(files: &[(String, Config)], out: &mut Vec<Finding>) {
    // name -> the files defining it, in loading order.
    let mut seen: BTreeMap<(EntryKind, &str), Vec<&str>> = BTreeMap::new();
    for (file, config) in files {
        let names = config
            .clusters
            .keys()
            .map(|n| (EntryKind::Cluster, n))
            .chain(config.auth_infos.keys().map(|n| (EntryKind::User, n)))
            .chain(config.contexts.keys().map(|n| (EntryKind::Context, n)));
        for (kind, name) in names {
            seen.entry((kind, name)).or_default().push(file);
        }
    }
    for ((kind, name), holders) in seen {
        let Some((winner, rest)) = holders.split_first() else {
            continue;
        };
        let code = match kind {
            EntryKind::Cluster => Code::DuplicateCluster,
            EntryKind::User => Code::DuplicateUser,
            EntryKind::Context => Code::DuplicateContext,
        };
        for file in rest {
            out.push(Finding::new(
                code,
                *file,
                Subject::Entry(kind, name.to_string()),
                format!(
                    "{} `{name}` is also defined in {winner}, which wins (the first file to define a name wins); this copy is ignored",
                    kind.as_str()
                ),
            ));
        }
    }
}

fn contents(file: &str, config: &Config, out: &mut Vec<Finding>) {
    for (name, cluster) in &config.clusters {
        if cluster.insecure_skip_tls_verify {
            out.push(Finding::new(
                Code::InsecureSkipTlsVerify,
                file,
                Subject::Entry(EntryKind::Cluster, name.clone()),
                format!(
                    "cluster `{name}` skips the server certificate check (insecure-skip-tls-verify: true)"
                ),
            ));
        }
    }
    for (name, user) in &config.auth_infos {
        let subject = || Subject::Entry(EntryKind::User, name.clone());
        if !user.password.is_empty() {
            out.push(Finding::new(
                Code::PlainTextPassword,
                file,
                subject(),
                format!("user `{name}` has a plain-text password in the file (username/password)"),
            ));
        }
        if !user.token.is_empty() {
            out.push(Finding::new(
                Code::StaticToken,
                file,
                subject(),
                format!("user `{name}` has a static token in the file"),
            ));
        }
        if let Some(fields) = provider_secrets(user) {
            out.push(Finding::new(
                Code::StaticToken,
                file,
                subject(),
                format!("user `{name}` has auth-provider {fields} in the file"),
            ));
        }
    }
}

/// The auth-provider config keys that hold credentials (oidc's, and the
/// old gcp and azure providers'), as `id-token, refresh-token`.
fn provider_secrets(user: &AuthInfo) -> Option<String> {
    const KEYS: [&str; 4] = ["access-token", "client-secret", "id-token", "refresh-token"];
    let config = user.auth_provider.as_ref()?.config.as_ref()?;
    let held: Vec<&str> = KEYS
        .into_iter()
        .filter(|k| config.get(*k).is_some_and(|v| !v.is_empty()))
        .collect();
    (!held.is_empty()).then(|| held.join(", "))
}

/// Whether the file holds a credential someone could use: a client key,
/// a token, a password or an auth-provider's tokens. Certificates
/// (`client-certificate-data`, `certificate-authority-data`) are public
/// and do not count.
pub fn holds_secrets(config: &Config) -> bool {
    config.auth_infos.values().any(|u| {
        !u.client_key_data.is_empty()
            || !u.token.is_empty()
            || !u.password.is_empty()
            || provider_secrets(u).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decode;

    fn files(docs: &[(&str, &str)]) -> Vec<(String, Config)> {
        docs.iter()
            .map(|(f, d)| (f.to_string(), decode(d, f).unwrap()))
            .collect()
    }

    fn codes(findings: &[Finding]) -> Vec<(&str, &str, &str)> {
        findings
            .iter()
            .map(|f| (f.code.as_str(), f.file.as_str(), f.subject.name()))
            .collect()
    }

    #[test]
    fn a_clean_config_has_no_findings() {
        let f = files(&[(
            "a",
            "current-context: x\nclusters:\n- name: c\n  cluster: {server: https://c}\nusers:\n- name: u\n  user: {client-certificate: u.crt}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n",
        )]);
        assert_eq!(check(&f), []);
    }

    #[test]
    fn dangling_references_and_unused_entries() {
        let f = files(&[(
            "a",
            "current-context: gone\nclusters:\n- name: spare\n  cluster: {server: https://c}\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n- name: z\n  context: {user: nobody}\n",
        )]);
        let mut found = check(&f);
        sort(&mut found, &["a".to_string()]);
        assert_eq!(
            codes(&found),
            [
                ("dangling-current-context", "a", "gone"),
                ("dangling-cluster", "a", "x"),
                ("dangling-cluster", "a", "z"),
                ("dangling-user", "a", "z"),
                ("unused-cluster", "a", "spare"),
            ]
        );
        assert_eq!(found[2].message, "context `z` names no cluster");
        assert_eq!(found[0].subject.kind(), "current-context");
    }

    #[test]
    fn duplicates_name_the_copy_client_go_ignores_and_the_winner() {
        let f = files(&[
            (
                "a",
                "clusters:\n- name: c\n  cluster: {server: https://a}\ncontexts:\n- name: x\n  context: {cluster: c, user: \"\"}\nusers:\n- name: \"\"\n  user: {}\n",
            ),
            (
                "b",
                "clusters:\n- name: c\n  cluster: {server: https://b}\ncontexts:\n- name: x\n  context: {cluster: other, user: \"\"}\n",
            ),
        ]);
        let found = check(&f);
        assert_eq!(
            codes(&found),
            [
                ("duplicate-cluster", "b", "c"),
                ("duplicate-context", "b", "x")
            ]
        );
        assert!(found[0].message.contains("also defined in a, which wins"));
    }

    #[test]
    fn an_unused_name_is_reported_in_every_file_that_defines_it() {
        let f = files(&[
            ("a", "users:\n- name: u\n  user: {}\n"),
            ("b", "users:\n- name: u\n  user: {}\n"),
        ]);
        let mut found = check(&f);
        sort(&mut found, &["a".into(), "b".into()]);
        assert_eq!(
            codes(&found),
            [
                ("unused-user", "a", "u"),
                ("unused-user", "b", "u"),
                ("duplicate-user", "b", "u")
            ]
        );
    }

    #[test]
    fn secrets_are_named_never_shown() {
        let f = files(&[(
            "a",
            "clusters:\n- name: c\n  cluster: {server: https://c, insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {username: admin, password: hunter2, token: s3cr3t-token}\n- name: o\n  user:\n    auth-provider: {name: oidc, config: {id-token: eyJhbGc, client-id: k}}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n- name: z\n  context: {cluster: c, user: o}\n",
        )]);
        let found = check(&f);
        assert_eq!(
            codes(&found),
            [
                ("insecure-skip-tls-verify", "a", "c"),
                ("static-token", "a", "o"),
                ("plain-text-password", "a", "u"),
                ("static-token", "a", "u"),
            ]
        );
        for finding in &found {
            for secret in ["hunter2", "s3cr3t", "eyJhbGc"] {
                assert!(!finding.message.contains(secret), "{finding:?}");
            }
        }
        assert!(holds_secrets(&f[0].1));
    }

    #[test]
    fn certificates_alone_are_not_secrets() {
        let c = decode(
            "clusters:\n- name: c\n  cluster: {certificate-authority-data: QUJD}\nusers:\n- name: u\n  user: {client-certificate-data: QUJD}\n",
            "a",
        )
        .unwrap();
        assert!(!holds_secrets(&c));
        let k = decode("users:\n- name: u\n  user: {client-key-data: QUJD}\n", "a").unwrap();
        assert!(holds_secrets(&k));
    }

    #[test]
    fn codes_are_distinct() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
