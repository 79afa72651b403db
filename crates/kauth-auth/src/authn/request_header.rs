//! The front-proxy (request-header) authenticator: a client certificate
//! from `--requestheader-client-ca-file`, then the user from headers.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authentication/request/headerrequest/requestheader.go`
//! (`requestHeaderAuthRequestHandler`, `headerValue`, `allHeaderValues`,
//! `newExtra`, `unescapeExtraKey`, `trimHeaders`),
//! `request/x509/x509.go` (`Verifier`, `verifySubject`: the certificate is
//! verified with `DefaultVerifyOptions`, client-auth usage, then its CN
//! checked against `--requestheader-allowed-names`),
//! `pkg/server/options/authentication.go` (`RequestHeaderAuthenticationOptions`),
//! and Go's `net/textproto` / `net/http` for how the server reads the
//! header lines (see [`Headers`]). Tests follow `TestRequestHeader` in
//! `requestheader_test.go`, `TestX509Verifier` in `x509_test.go`, and the
//! recorded kube-apiserver v1.36 exchanges
//! (tests/fixtures/apiserver/chain/requestheader-*).
//!
//! # What the caller does with each [`Outcome`]
//! kube-apiserver's union (`pkg/kubeapiserver/authenticator/config.go`)
//! runs this authenticator first, before x509 (`--client-ca-file`) and the
//! bearer token; the first that authenticates wins, errors are collected
//! and only count when nothing authenticates:
//! - [`Outcome::NoCertificate`]: no opinion; go on to x509 and tokens.
//! - [`Outcome::NoUsername`]: the proxy's certificate is trusted and allowed
//!   but no username header has a value: still **no opinion, not an
//!   error**. Go on; x509 then judges the same certificate against
//!   `--client-ca-file` (usually failing: a 401, never anonymous), and a
//!   valid bearer token in the same request still authenticates.
//! - [`Outcome::Failed`]: record the error and go on: a certificate of the
//!   client CA may still authenticate through x509 (its own CN and O, the
//!   headers ignored), or a token; otherwise the request is a 401 whose log
//!   line lists this error first.
//! - [`Outcome::Authenticated`]: stop; this user wins over any token. The
//!   chain then adds `system:authenticated`
//!   ([`UserInfo::with_authenticated_group`]: not for `system:anonymous`
//!   or a user in `system:unauthenticated`). No credential-id extra is
//!   added. (The server also deletes the headers used before the request
//!   goes on; nothing here depends on that.)
//!
//! Malformed header lines never reach the authenticators: Go's server
//! answers 400 or 431 first; [`Headers::read`] says which.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::authn::x509;
use crate::user::UserInfo;

/// Go's `http.DefaultMaxHeaderBytes` (kube-apiserver keeps it), plus the
/// 4096 bytes of slack Go's server reads past it.
pub const MAX_HEADER_BYTES: usize = (1 << 20) + 4096;

/// Why Go's HTTP server refuses a request before any authenticator runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadRequest {
    #[error(
        "431 Request Header Fields Too Large: the header lines exceed {MAX_HEADER_BYTES} bytes"
    )]
    TooLarge,
    #[error("400 Bad Request: invalid header name {0:?}")]
    Name(String),
    #[error("400 Bad Request: invalid header value for {0:?}")]
    Value(String),
}

/// Go's `validHeaderFieldByte`: an RFC 7230 token character.
fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: upper case at the start and
/// after each `-`, lower case elsewhere; returned unchanged when it holds a
/// byte that is not a token character.
pub fn canonical_key(name: &str) -> String {
    if name.is_empty() || !name.bytes().all(token_byte) {
        return name.to_string();
    }
    let mut upper = true;
    name.bytes()
        .map(|b| {
            let c = if upper {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            };
            upper = b == b'-';
            c as char
        })
        .collect()
}

/// Bytes as a Go string reaches JSON: each byte that is not part of valid
/// UTF-8 becomes U+FFFD.
fn go_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                out.push('\u{fffd}');
                rest = &bad[1..];
            }
        }
    }
}

/// A request's header lines as Go's `http.Header` holds them: keys
/// canonical, values trimmed of surrounding white space, in request order;
/// keys in the order they first appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(String, Vec<String>)>,
}

impl Headers {
    /// Reads `(name, value)` pairs exactly as sent, as Go's server does:
    /// an invalid name (not a token) or a value with a control character
    /// other than tab is a 400, more than [`MAX_HEADER_BYTES`] a 431.
    pub fn read<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(N, V)]) -> Result<Headers, BadRequest> {
        let mut size = 0usize;
        let mut out = Headers::default();
        for (name, value) in pairs {
            let (name, value) = (name.as_ref(), value.as_ref());
            // "Name: value\r\n".
            size = size.saturating_add(name.len() + value.len() + 4);
            if size > MAX_HEADER_BYTES {
                return Err(BadRequest::TooLarge);
            }
            let shown = || go_string(&name[..name.len().min(100)]);
            if name.is_empty() || !name.iter().copied().all(token_byte) {
                return Err(BadRequest::Name(shown()));
            }
            if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(BadRequest::Value(shown()));
            }
            let trimmed = value
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t'))
                .map(|start| {
                    let end = value
                        .iter()
                        .rposition(|b| !matches!(b, b' ' | b'\t'))
                        .unwrap_or(start);
                    &value[start..=end]
                })
                .unwrap_or_default();
            // Token characters are ASCII.
            let key = canonical_key(std::str::from_utf8(name).unwrap_or_default());
            let value = go_string(trimmed);
            match out.entries.iter_mut().find(|(k, _)| *k == key) {
                Some((_, values)) => values.push(value),
                None => out.entries.push((key, vec![value])),
            }
        }
        Ok(out)
    }

    /// `http.Header.Get`: the first value of `name`, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.values(name).first().map(String::as_str).unwrap_or("")
    }

    /// Every value of `name` (`http.Header.Values`).
    pub fn values(&self, name: &str) -> &[String] {
        let key = canonical_key(name);
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_slice())
            .unwrap_or_default()
    }

    /// The canonical keys and their values, in request order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

/// The `--requestheader-*` flags.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--requestheader-client-ca-file`, as DER certificates.
    pub client_ca: Vec<Vec<u8>>,
    /// `--requestheader-allowed-names`; empty: any CN.
    pub allowed_names: Vec<String>,
    /// `--requestheader-username-headers`, in flag order.
    pub username_headers: Vec<String>,
    /// `--requestheader-uid-headers`.
    pub uid_headers: Vec<String>,
    /// `--requestheader-group-headers`.
    pub group_headers: Vec<String>,
    /// `--requestheader-extra-headers-prefix`.
    pub extra_headers_prefix: Vec<String>,
}

/// Why the flags do not make an authenticator (kube-apiserver refuses to
/// start).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("--requestheader-client-ca-file holds no certificate")]
    NoCa,
    #[error("--requestheader-client-ca-file: certificate {index}: {message}")]
    BadCa { index: usize, message: String },
    /// `trimHeaders`.
    #[error("{flag}: empty header {name:?}")]
    EmptyHeader { flag: &'static str, name: String },
}

/// The front-proxy authenticator (`NewDynamicVerifyOptionsSecure`).
#[derive(Debug, Clone)]
pub struct RequestHeader {
    roots: Vec<x509::Cert>,
    allowed_names: Vec<String>,
    username_headers: Vec<String>,
    uid_headers: Vec<String>,
    group_headers: Vec<String>,
    extra_prefixes: Vec<String>,
    /// What kube-apiserver warns about at start (a header set without the
    /// standard `X-Remote-*` name: API aggregation will not work).
    pub warnings: Vec<String>,
}

/// Why the proxy's certificate does not let the headers count; the text is
/// the server's (its log line shows it as is, without the x509
/// authenticator's `verifying certificate ...` prefix).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Go's TLS server fails the handshake on a certificate it cannot parse.
    #[error("tls: failed to parse client certificate: {0}")]
    Parse(x509::VerifyError),
    #[error("{0}")]
    Verify(x509::VerifyError),
    #[error("x509: subject with cn={common_name} is not in the allowed list")]
    NotAllowed { common_name: String },
}

/// What the authenticator makes of a request; see the module documentation
/// for what the chain does with each.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    NoCertificate,
    NoUsername { proxy: String },
    Failed(Failure),
    Authenticated(UserInfo),
}

fn trim_headers(flag: &'static str, names: &[String]) -> Result<Vec<String>, ConfigError> {
    names
        .iter()
        .map(|n| {
            let t = n.trim();
            if t.is_empty() {
                Err(ConfigError::EmptyHeader {
                    flag,
                    name: n.clone(),
                })
            } else {
                Ok(t.to_string())
            }
        })
        .collect()
}

impl RequestHeader {
    pub fn new(flags: &Flags) -> Result<RequestHeader, ConfigError> {
        if flags.client_ca.is_empty() {
            return Err(ConfigError::NoCa);
        }
        let roots = flags
            .client_ca
            .iter()
            .enumerate()
            .map(|(i, der)| {
                x509::Cert::from_der(der).map_err(|e| ConfigError::BadCa {
                    index: i + 1,
                    message: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let username_headers =
            trim_headers("--requestheader-username-headers", &flags.username_headers)?;
        let uid_headers = trim_headers("--requestheader-uid-headers", &flags.uid_headers)?;
        let group_headers = trim_headers("--requestheader-group-headers", &flags.group_headers)?;
        let extra_prefixes = trim_headers(
            "--requestheader-extra-headers-prefix",
            &flags.extra_headers_prefix,
        )?;
        let mut warnings = Vec::new();
        for (flag, names, standard) in [
            (
                "--requestheader-username-headers",
                &username_headers,
                "X-Remote-User",
            ),
            (
                "--requestheader-group-headers",
                &group_headers,
                "X-Remote-Group",
            ),
            (
                "--requestheader-extra-headers-prefix",
                &extra_prefixes,
                "X-Remote-Extra-",
            ),
            ("--requestheader-uid-headers", &uid_headers, "X-Remote-Uid"),
        ] {
            if !names.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(standard)) {
                warnings.push(format!(
                    "{flag} is set without specifying the standard {standard} header - API aggregation will not work"
                ));
            }
        }
        Ok(RequestHeader {
            roots,
            allowed_names: flags.allowed_names.clone(),
            username_headers,
            uid_headers,
            group_headers,
            extra_prefixes,
            warnings,
        })
    }

    /// The request-header authenticator for a request presenting `chain`
    /// (DER, leaf first; empty when the client sent no certificate) at
    /// `now`.
    pub fn authenticate(
        &self,
        headers: &Headers,
        chain: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Outcome {
        if chain.is_empty() {
            return Outcome::NoCertificate;
        }
        let parsed = match chain
            .iter()
            .map(|d| x509::Cert::from_der(d))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(p) => p,
            Err(e) => return Outcome::Failed(Failure::Parse(e)),
        };
        let (leaf, intermediates) = parsed.split_first().expect("the chain is not empty");
        if let Err(e) = x509::verify(leaf, intermediates, &self.roots, now) {
            return Outcome::Failed(Failure::Verify(e));
        }
        let cn = &leaf.subject.common_name;
        if !self.allowed_names.is_empty() && !self.allowed_names.iter().any(|n| n == cn) {
            return Outcome::Failed(Failure::NotAllowed {
                common_name: cn.clone(),
            });
        }
        match self.user_from_headers(headers) {
            Some(user) => Outcome::Authenticated(user),
            None => Outcome::NoUsername { proxy: cn.clone() },
        }
    }

    /// `requestHeaderAuthRequestHandler.AuthenticateRequest`: the user the
    /// headers name, `None` when no username header has a value. The
    /// certificate is [`authenticate`](Self::authenticate)'s business.
    pub fn user_from_headers(&self, headers: &Headers) -> Option<UserInfo> {
        let first = |names: &[String]| {
            names
                .iter()
                .map(|n| headers.get(n))
                .find(|v| !v.is_empty())
                .unwrap_or("")
                .to_string()
        };
        let username = first(&self.username_headers);
        if username.is_empty() {
            return None;
        }
        let uid = first(&self.uid_headers);
        let groups = self
            .group_headers
            .iter()
            .flat_map(|n| headers.values(n))
            .filter(|v| !v.is_empty())
            .cloned()
            .collect();
        // Prefixes in flag order; within one, header names in request order
        // (Go walks its header map, whose order is unspecified).
        let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for prefix in &self.extra_prefixes {
            for (name, values) in headers.iter() {
                let Some(head) = name.get(..prefix.len()) else {
                    continue;
                };
                if !head.eq_ignore_ascii_case(prefix) {
                    continue;
                }
                // `url.PathUnescape`; a malformed escape keeps the key as is.
                let lower = name[prefix.len()..].to_ascii_lowercase();
                let key = match kauth_formats::url::unescape(&lower) {
                    Ok(k) => k,
                    Err(_) => lower,
                };
                extra.entry(key).or_default().extend(values.iter().cloned());
            }
        }
        Some(UserInfo {
            username,
            uid,
            groups,
            extra,
        })
    }
}

/// The header names a front proxy uses: the first of each flag, or the
/// standard `X-Remote-*` names kube-apiserver's front proxy sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyHeaderNames {
    pub user: String,
    pub uid: String,
    pub group: String,
    pub extra_prefix: String,
}

impl ProxyHeaderNames {
    pub fn from_flags(user: &[String], uid: &[String], group: &[String], extra: &[String]) -> Self {
        let first = |l: &[String], d: &str| l.first().cloned().unwrap_or_else(|| d.to_string());
        ProxyHeaderNames {
            user: first(user, "X-Remote-User"),
            uid: first(uid, "X-Remote-Uid"),
            group: first(group, "X-Remote-Group"),
            extra_prefix: first(extra, "X-Remote-Extra-"),
        }
    }
}

impl Default for ProxyHeaderNames {
    fn default() -> Self {
        ProxyHeaderNames::from_flags(&[], &[], &[], &[])
    }
}

/// An extra key as a header name's tail: the server lower-cases it, then
/// percent-decodes it, so every byte that is not a lower-case token
/// character is escaped (an upper-case letter survives as `%41`).
pub fn escape_extra_key(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        if token_byte(b) && !b.is_ascii_uppercase() && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The header lines a front proxy sends for `user` (a group header per
/// group, an extra header per value).
pub fn proxy_headers(names: &ProxyHeaderNames, user: &UserInfo) -> Vec<(String, String)> {
    let mut out = vec![(names.user.clone(), user.username.clone())];
    if !user.uid.is_empty() {
        out.push((names.uid.clone(), user.uid.clone()));
    }
    for g in &user.groups {
        out.push((names.group.clone(), g.clone()));
    }
    for (k, values) in &user.extra {
        for v in values {
            out.push((
                format!("{}{}", names.extra_prefix, escape_extra_key(k)),
                v.clone(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kauth_pki::cert::{self, CertSpec, EKU_CLIENT_AUTH, EKU_SERVER_AUTH, Issuer, Usage};
    use kauth_pki::key::{KeyAlgorithm, PrivateKey};
    use kauth_pki::name::Subject;
    use time::{Duration, macros::datetime};

    const NOW: OffsetDateTime = datetime!(2026-12-02 17:08:00 UTC);

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        Headers::read(pairs).unwrap()
    }

    fn handler(names: &[&str], groups: &[&str], extra: &[&str]) -> RequestHeader {
        let ca = Issued::new("ca", Usage::ca(), None, NOW);
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        RequestHeader::new(&Flags {
            client_ca: vec![ca.der],
            username_headers: list(names),
            group_headers: list(groups),
            extra_headers_prefix: list(extra),
            ..Flags::default()
        })
        .unwrap()
    }

    /// `TestRequestHeader` in upstream's `requestheader_test.go`, case by
    /// case (a Go `http.Header` there; the same lines as sent here).
    #[test]
    fn follows_upstream_request_header_table() {
        let user = |name: &str, groups: &[&str], extra: &[(&str, &[&str])]| UserInfo {
            username: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            extra: extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
            ..UserInfo::default()
        };
        type Case<'a> = (
            &'a str,
            RequestHeader,
            Vec<(&'a str, &'a str)>,
            Option<UserInfo>,
        );
        let cases: Vec<Case> = vec![
            ("empty", handler(&[], &[], &[]), vec![], None),
            (
                "user no match",
                handler(&["X-Remote-User"], &[], &[]),
                vec![],
                None,
            ),
            (
                "user match",
                handler(&["X-Remote-User"], &[], &[]),
                vec![("X-Remote-User", "Bob")],
                Some(user("Bob", &[], &[])),
            ),
            (
                "user exact match",
                handler(&["X-Remote-User"], &[], &[]),
                vec![
                    ("Prefixed-X-Remote-User-With-Suffix", "Bob"),
                    ("X-Remote-User-With-Suffix", "Bob"),
                ],
                None,
            ),
            (
                "user first match",
                handler(
                    &[
                        "X-Remote-User",
                        "A-Second-X-Remote-User",
                        "Another-X-Remote-User",
                    ],
                    &[],
                    &[],
                ),
                vec![
                    ("X-Remote-User", ""),
                    ("X-Remote-User", "First header, second value"),
                    ("A-Second-X-Remote-User", "Second header, first value"),
                    ("A-Second-X-Remote-User", "Second header, second value"),
                    ("Another-X-Remote-User", "Third header, first value"),
                ],
                Some(user("Second header, first value", &[], &[])),
            ),
            (
                "user case-insensitive",
                handler(&["x-REMOTE-user"], &[], &[]),
                vec![("X-Remote-User", "Bob")],
                Some(user("Bob", &[], &[])),
            ),
            (
                "groups none",
                handler(&["X-Remote-User"], &["X-Remote-Group"], &[]),
                vec![("X-Remote-User", "Bob")],
                Some(user("Bob", &[], &[])),
            ),
            (
                "groups all matches",
                handler(
                    &["X-Remote-User"],
                    &["X-Remote-Group-1", "X-Remote-Group-2"],
                    &[],
                ),
                vec![
                    ("X-Remote-User", "Bob"),
                    ("X-Remote-Group-2", "two-a"),
                    ("X-Remote-Group-1", "one-a"),
                    ("X-Remote-Group-1", "one-b"),
                    ("X-Remote-Group-2", "two-b"),
                ],
                Some(user("Bob", &["one-a", "one-b", "two-a", "two-b"], &[])),
            ),
            (
                "groups case-insensitive",
                handler(&["X-REMOTE-User"], &["X-REMOTE-Group"], &[]),
                vec![("X-Remote-User", "Bob"), ("X-Remote-Group", "Users")],
                Some(user("Bob", &["Users"], &[])),
            ),
            (
                "extra prefix matches case-insensitive",
                handler(
                    &["X-Remote-User"],
                    &["X-Remote-Group-1", "X-Remote-Group-2"],
                    &["X-Remote-Extra-1-", "X-Remote-Extra-2-"],
                ),
                vec![
                    ("X-Remote-User", "Bob"),
                    ("X-Remote-Group-1", "one-a"),
                    ("X-Remote-Group-1", "one-b"),
                    ("X-Remote-Group-2", "two-a"),
                    ("X-Remote-Group-2", "two-b"),
                    ("X-Remote-extra-1-key1", "alfa"),
                    ("X-Remote-extra-1-key1", "bravo"),
                    ("X-Remote-Extra-1-Key2", "charlie"),
                    ("X-Remote-Extra-1-Key2", "delta"),
                    ("X-Remote-Extra-1-", "india"),
                    ("X-Remote-Extra-1-", "juliet"),
                    ("X-Remote-extra-2-", "kilo"),
                    ("X-Remote-extra-2-", "lima"),
                    ("X-Remote-extra-2-Key1", "echo"),
                    ("X-Remote-extra-2-Key1", "foxtrot"),
                    ("X-Remote-Extra-2-key2", "golf"),
                    ("X-Remote-Extra-2-key2", "hotel"),
                ],
                Some(user(
                    "Bob",
                    &["one-a", "one-b", "two-a", "two-b"],
                    &[
                        ("key1", &["alfa", "bravo", "echo", "foxtrot"]),
                        ("key2", &["charlie", "delta", "golf", "hotel"]),
                        ("", &["india", "juliet", "kilo", "lima"]),
                    ],
                )),
            ),
            (
                "escaped extra keys",
                handler(
                    &["X-Remote-User"],
                    &["X-Remote-Group"],
                    &["X-Remote-Extra-"],
                ),
                vec![
                    ("X-Remote-User", "Bob"),
                    ("X-Remote-Group", "one-a"),
                    ("X-Remote-Group", "one-b"),
                    ("X-Remote-Extra-Alpha", "alphabetical"),
                    ("X-Remote-Extra-Alph4num3r1c", "alphanumeric"),
                    ("X-Remote-Extra-Percent%20encoded", "percent encoded"),
                    (
                        "X-Remote-Extra-Almost%zzpercent%xxencoded",
                        "not quite percent encoded",
                    ),
                    (
                        "X-Remote-Extra-Example.com%2fpercent%2520encoded",
                        "url with double percent encoding",
                    ),
                    (
                        "X-Remote-Extra-Example.com%2F%E4%BB%8A%E6%97%A5%E3%81%AF",
                        "url with unicode",
                    ),
                    (
                        "X-Remote-Extra-Abc123!#$+.-_*\\^`~|'",
                        "header key legal characters",
                    ),
                ],
                Some(user(
                    "Bob",
                    &["one-a", "one-b"],
                    &[
                        ("alpha", &["alphabetical"]),
                        ("alph4num3r1c", &["alphanumeric"]),
                        ("percent encoded", &["percent encoded"]),
                        ("almost%zzpercent%xxencoded", &["not quite percent encoded"]),
                        (
                            "example.com/percent%20encoded",
                            &["url with double percent encoding"],
                        ),
                        ("example.com/今日は", &["url with unicode"]),
                        ("abc123!#$+.-_*\\^`~|'", &["header key legal characters"]),
                    ],
                )),
            ),
        ];
        for (name, handler, pairs, want) in cases {
            // `\\` is not a token character: Go's own table builds the
            // header map directly; a server would refuse that line.
            let h = match Headers::read(&pairs) {
                Ok(h) => h,
                Err(_) => {
                    let kept: Vec<_> = pairs
                        .iter()
                        .filter(|(k, _)| !k.contains('\\'))
                        .cloned()
                        .collect();
                    let mut h = Headers::read(&kept).unwrap();
                    h.entries.push((
                        "X-Remote-Extra-Abc123!#$+.-_*\\^`~|'".into(),
                        vec!["header key legal characters".into()],
                    ));
                    h
                }
            };
            assert_eq!(handler.user_from_headers(&h), want, "{name}");
        }
    }

    /// A certificate kauth makes, with its key for signing others.
    struct Issued {
        key: PrivateKey,
        der: Vec<u8>,
        subject: Vec<u8>,
    }

    impl Issued {
        fn new(cn: &str, usage: Usage, issuer: Option<&Issued>, at: OffsetDateTime) -> Issued {
            let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
            let spki = key.public_key_der().unwrap();
            let subject = Subject::new(cn, &[], None).to_der();
            let spec = CertSpec {
                subject_der: subject.clone(),
                public_key_der: &spki,
                serial: cert::random_serial(),
                not_before: at - Duration::days(1),
                not_after: at + Duration::days(30),
                usage,
            };
            let der = {
                let (name, signer, signer_spki) = match issuer {
                    Some(i) => (i.subject.clone(), &i.key, i.key.public_key_der().unwrap()),
                    None => (subject.clone(), &key, spki.clone()),
                };
                cert::build_certificate(
                    &spec,
                    &Issuer {
                        name_der: &name,
                        key: signer,
                        key_id: Some(cert::key_identifier(&signer_spki).unwrap()),
                    },
                )
                .unwrap()
            };
            Issued { key, der, subject }
        }
    }

    fn eku(e: Option<Vec<&'static [u64]>>) -> Usage {
        Usage {
            ext_key_usage: e,
            ..Usage::client(false)
        }
    }

    /// `TestX509Verifier` in upstream's `request/x509/x509_test.go` (the
    /// verifier in front of the header handler), on certificates kauth
    /// makes, plus the recorded server's EKU and CN observations.
    #[test]
    fn follows_upstream_x509_verifier_table() {
        let root = Issued::new("root", Usage::ca(), None, NOW);
        let inter = Issued::new("intermediate", Usage::ca(), Some(&root), NOW);
        let client = Issued::new(
            "client_cn",
            eku(Some(vec![EKU_CLIENT_AUTH])),
            Some(&root),
            NOW,
        );
        let self_signed = Issued::new("client_cn", eku(Some(vec![EKU_CLIENT_AUTH])), None, NOW);
        let server = Issued::new(
            "client_cn",
            eku(Some(vec![EKU_SERVER_AUTH])),
            Some(&root),
            NOW,
        );
        let no_eku = Issued::new("client_cn", eku(None), Some(&root), NOW);
        let no_cn = Issued::new("", eku(Some(vec![EKU_CLIENT_AUTH])), Some(&root), NOW);
        let below = Issued::new(
            "client_cn",
            eku(Some(vec![EKU_CLIENT_AUTH])),
            Some(&inter),
            NOW,
        );
        let expired_below = Issued::new(
            "client_cn",
            eku(Some(vec![EKU_CLIENT_AUTH])),
            Some(&inter),
            NOW - Duration::days(60),
        );
        let h = headers(&[("X-Remote-User", "innerauth")]);
        let auth = |allowed: &[&str]| {
            RequestHeader::new(&Flags {
                client_ca: vec![root.der.clone()],
                allowed_names: allowed.iter().map(|s| s.to_string()).collect(),
                username_headers: vec!["X-Remote-User".into()],
                ..Flags::default()
            })
            .unwrap()
        };
        let year = Duration::days(365);
        // (name, chain, allowed names, now, Ok(authenticated) / Err(error text)).
        type Case<'a> = (
            &'a str,
            Vec<Vec<u8>>,
            &'a [&'a str],
            OffsetDateTime,
            Result<(), &'a str>,
        );
        let cases: Vec<Case> = vec![
            ("tls, no certs", vec![], &[], NOW, Err("no certificate")),
            (
                "self signed",
                vec![self_signed.der.clone()],
                &[],
                NOW,
                Err("unknown authority"),
            ),
            (
                "server cert disallowed",
                vec![server.der.clone()],
                &[],
                NOW,
                Err("incompatible key usage"),
            ),
            (
                "no EKU accepted",
                vec![no_eku.der.clone()],
                &[],
                NOW,
                Ok(()),
            ),
            (
                "valid client cert",
                vec![client.der.clone()],
                &[],
                NOW,
                Ok(()),
            ),
            (
                "valid client cert with wrong CN",
                vec![client.der.clone()],
                &["foo", "bar"],
                NOW,
                Err("subject with cn=client_cn is not in the allowed list"),
            ),
            (
                "valid client cert with right CN",
                vec![client.der.clone()],
                &["client_cn"],
                NOW,
                Ok(()),
            ),
            (
                "CN differs in case",
                vec![client.der.clone()],
                &["Client_CN"],
                NOW,
                Err("not in the allowed list"),
            ),
            (
                "no CN, names set",
                vec![no_cn.der.clone()],
                &["client_cn"],
                NOW,
                Err("subject with cn= is not"),
            ),
            ("no CN, any name", vec![no_cn.der.clone()], &[], NOW, Ok(())),
            (
                "future cert",
                vec![client.der.clone()],
                &[],
                NOW - year * 100,
                Err("not yet valid"),
            ),
            (
                "expired cert",
                vec![client.der.clone()],
                &[],
                NOW + year * 100,
                Err("expired"),
            ),
            (
                "multi-level, valid",
                vec![below.der.clone(), inter.der.clone()],
                &[],
                NOW,
                Ok(()),
            ),
            (
                "multi-level, expired",
                vec![expired_below.der.clone(), inter.der.clone()],
                &[],
                NOW,
                Err("expired"),
            ),
            (
                "not a certificate",
                vec![b"junk".to_vec()],
                &[],
                NOW,
                Err("tls: failed to parse"),
            ),
        ];
        for (name, chain, allowed, now, want) in cases {
            let got = auth(allowed).authenticate(&h, &chain, now);
            match (want, &got) {
                (Ok(()), Outcome::Authenticated(u)) => {
                    assert_eq!(u.username, "innerauth", "{name}")
                }
                (Err("no certificate"), Outcome::NoCertificate) => {}
                (Err(text), Outcome::Failed(f)) => {
                    assert!(f.to_string().contains(text), "{name}: {f}")
                }
                _ => panic!("{name}: want {want:?}, got {got:?}"),
            }
        }
        // A trusted, allowed proxy without a username value: no opinion.
        let empty = headers(&[("X-Remote-User", ""), ("X-Remote-User", "second")]);
        assert_eq!(
            auth(&["client_cn"]).authenticate(&empty, std::slice::from_ref(&client.der), NOW),
            Outcome::NoUsername {
                proxy: "client_cn".into()
            }
        );
    }

    /// The README's header observations (recorded from kube-apiserver
    /// v1.36 with two names per flag and two extra prefixes).
    #[test]
    fn headers_as_the_recorded_server_read_them() {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ca = Issued::new("ca", Usage::ca(), None, NOW);
        let rh = RequestHeader::new(&Flags {
            client_ca: vec![ca.der],
            username_headers: list(&["X-Remote-User", "X-Forwarded-User"]),
            uid_headers: list(&["X-Remote-Uid", "X-Forwarded-Uid"]),
            group_headers: list(&["X-Remote-Group", "X-Forwarded-Groups"]),
            extra_headers_prefix: list(&["X-Remote-Extra-", "X-Forwarded-Extra-"]),
            ..Flags::default()
        })
        .unwrap();
        assert!(rh.warnings.is_empty(), "{:?}", rh.warnings);
        let user = |pairs: &[(&str, &str)]| rh.user_from_headers(&headers(pairs));
        // Flag order wins over request order; groups and extras concatenate.
        let u = user(&[
            ("X-Forwarded-User", "fwd"),
            ("X-Remote-User", "rem"),
            ("X-Forwarded-Groups", "g2"),
            ("X-Remote-Group", "g1"),
            ("X-Forwarded-Extra-Scopes", "fwd"),
            ("X-Remote-Extra-Scopes", "rem"),
        ])
        .unwrap();
        assert_eq!(u.username, "rem");
        assert_eq!(u.groups, ["g1", "g2"]);
        assert_eq!(u.extra["scopes"], ["rem", "fwd"]);
        // The first value of each name only; an empty first value moves on
        // to the next name.
        assert_eq!(
            user(&[("X-Remote-User", ""), ("X-Remote-User", "bob")]),
            None
        );
        assert_eq!(
            user(&[("X-Remote-User", ""), ("X-Forwarded-User", "fwd")])
                .unwrap()
                .username,
            "fwd"
        );
        // Values trimmed, not split, duplicates kept, empties dropped, UTF-8.
        let u = user(&[
            ("x-remote-user", "  jos\u{e9}-\u{fc}\t"),
            ("X-Remote-Group", "a,b"),
            ("X-Remote-Group", ""),
            ("X-Remote-Group", " a,b "),
            ("X-Remote-Uid", ""),
            ("X-Forwarded-Uid", "u-1"),
        ])
        .unwrap();
        assert_eq!(u.username, "jos\u{e9}-\u{fc}");
        assert_eq!(u.groups, ["a,b", "a,b"]);
        assert_eq!(u.uid, "u-1");
        // Extra keys: lower-cased, then percent-decoded; values never.
        let u = user(&[
            ("X-Remote-User", "x"),
            ("X-Remote-Extra-%41cme", "v"),
            ("X-Remote-Extra-Foo%2Fbar", "v"),
            ("X-Remote-Extra-bad%zz", "v"),
            ("X-Remote-Extra-A%20b", "x%20y"),
            ("X-Remote-Extra-", ""),
            ("X-Remote-Extra-Team", "1"),
            ("X-Remote-Extra-TEAM", "2"),
        ])
        .unwrap();
        let want: BTreeMap<String, Vec<String>> = [
            ("Acme", vec!["v"]),
            ("foo/bar", vec!["v"]),
            ("bad%zz", vec!["v"]),
            ("a b", vec!["x%20y"]),
            ("", vec![""]),
            ("team", vec!["1", "2"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
        assert_eq!(u.extra, want);
        // `X_Remote_User` is another header.
        assert_eq!(user(&[("X_Remote_User", "x")]), None);
    }

    #[test]
    fn hostile_headers_and_flags_are_clear_errors() {
        assert_eq!(
            Headers::read(&[("X Remote", "v")]),
            Err(BadRequest::Name("X Remote".into()))
        );
        assert_eq!(
            Headers::read(&[("", "v")]),
            Err(BadRequest::Name(String::new()))
        );
        assert!(matches!(
            Headers::read(&[("X-A", "a\nb")]),
            Err(BadRequest::Value(_))
        ));
        assert!(matches!(
            Headers::read(&[("X-A", "a\0")]),
            Err(BadRequest::Value(_))
        ));
        let big = "v".repeat(MAX_HEADER_BYTES);
        assert_eq!(
            Headers::read(&[("X-A", big.as_str())]),
            Err(BadRequest::TooLarge)
        );
        let many: Vec<(&str, &str)> = vec![("X-Remote-Group", "g"); 300_000];
        assert_eq!(Headers::read(&many), Err(BadRequest::TooLarge));
        // Not UTF-8 values are what Go's JSON would show.
        let h = Headers::read(&[(b"X-A".as_slice(), b"a\xffb\xe2\x82".as_slice())]).unwrap();
        assert_eq!(h.get("x-a"), "a\u{fffd}b\u{fffd}\u{fffd}");
        // Flags.
        assert_eq!(
            RequestHeader::new(&Flags::default()).unwrap_err(),
            ConfigError::NoCa
        );
        let ca = Issued::new("ca", Usage::ca(), None, NOW);
        let e = RequestHeader::new(&Flags {
            client_ca: vec![ca.der.clone()],
            username_headers: vec!["X-Remote-User".into(), "  ".into()],
            ..Flags::default()
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "--requestheader-username-headers: empty header \"  \""
        );
        assert!(matches!(
            RequestHeader::new(&Flags {
                client_ca: vec![b"junk".to_vec()],
                ..Flags::default()
            }),
            Err(ConfigError::BadCa { index: 1, .. })
        ));
        let rh = RequestHeader::new(&Flags {
            client_ca: vec![ca.der],
            username_headers: vec![" X-Proxy-User ".into()],
            ..Flags::default()
        })
        .unwrap();
        assert_eq!(rh.warnings.len(), 1, "{:?}", rh.warnings);
        assert_eq!(
            rh.user_from_headers(&headers(&[("X-Proxy-User", "p")]))
                .unwrap()
                .username,
            "p"
        );
    }

    /// What a proxy sends for a user is read back as that user, extra keys
    /// with capitals, slashes and spaces included.
    #[test]
    fn proxy_headers_read_back_as_the_user_sent() {
        let mut user = UserInfo {
            username: "bob".into(),
            uid: "u-1".into(),
            groups: vec!["dev, ops".into(), "qa".into()],
            ..UserInfo::default()
        };
        user.extra.insert(
            "Example.com/Team Name".into(),
            vec!["a".into(), "b c".into()],
        );
        user.extra.insert("scopes%".into(), vec!["x".into()]);
        for names in [
            ProxyHeaderNames::default(),
            ProxyHeaderNames::from_flags(
                &["X-User".into()],
                &["X-Id".into()],
                &["X-Groups".into()],
                &["X-Extra-".into()],
            ),
        ] {
            let h = handler(
                &[names.user.as_str()],
                &[names.group.as_str()],
                &[names.extra_prefix.as_str()],
            );
            let mut h = h;
            h.uid_headers = vec![names.uid.clone()];
            let sent = proxy_headers(&names, &user);
            let pairs: Vec<(&str, &str)> =
                sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            assert_eq!(
                h.user_from_headers(&headers(&pairs)),
                Some(user.clone()),
                "{sent:?}"
            );
        }
        assert_eq!(escape_extra_key("Acme/x"), "%41cme%2Fx");
    }
}
