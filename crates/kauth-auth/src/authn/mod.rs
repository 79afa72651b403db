//! Authentication: which user a credential makes.
//!
//! [`authenticate`] follows kube-apiserver's chain: the client certificate
//! first, then the bearer token (the static token file, then
//! ServiceAccount tokens), the groups the server adds, and the anonymous
//! user when no credential is presented. A credential that fails is a 401,
//! never anonymous (upstream: `pkg/kubeapiserver/authenticator/config.go`,
//! `request/union`, `request/anonymous`, `request/bearertoken`,
//! `group/authenticated_group_adder.go`).

pub mod bearer;
pub mod bootstrap;
pub mod jwt;
pub mod oidc;
pub mod request_header;
pub mod service_account;
pub mod token_file;
pub mod x509;

use time::OffsetDateTime;

use crate::user::UserInfo;

/// What a request presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A client certificate chain, leaf first (PEM-decoded DER).
    Certificate(Vec<Vec<u8>>),
    /// A bearer token.
    Token(String),
    /// Both, as kubectl sends them when a user has a certificate and a token.
    CertificateAndToken(Vec<Vec<u8>>, String),
    /// Nothing: the anonymous user.
    None,
}

/// The server's authentication flags that kauth can take into account.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// `--client-ca-file`; `None`: chains are not checked.
    pub client_ca: Option<Vec<Vec<u8>>>,
    /// `--token-auth-file`.
    pub token_file: Option<token_file::TokenFile>,
    /// `--service-account-key-file`, `--service-account-issuer`, `--api-audiences`.
    pub service_accounts: service_account::Options,
    /// `--anonymous-auth=false`.
    pub anonymous_disabled: bool,
    /// `--enable-bootstrap-token-auth`, with the `kube-system` Secrets.
    pub bootstrap: Option<bootstrap::BootstrapTokens>,
    /// The JWT authenticators (`AuthenticationConfiguration`'s `jwt`, or
    /// the `--oidc-*` flags), in the server's order.
    pub jwt: Vec<oidc::Authenticator>,
    /// Whether these are all the token authenticators the server runs (its
    /// configuration was read): a token none accepts is then a 401, not
    /// possibly a static token kauth was not shown.
    pub all_token_authenticators: bool,
    /// `--requestheader-*`: the front proxy, asked first.
    pub request_header: Option<request_header::RequestHeader>,
}

/// One thing kauth checked or could not check.
pub use service_account::Check;

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The user the server gives the request (with the groups it adds).
    Authenticated {
        user: UserInfo,
        /// `client certificate`, `static token (tokens.csv line 3)`, ...
        method: String,
        checks: Vec<Check>,
    },
    /// No credential: `system:anonymous`, unless anonymous auth is off;
    /// with the Warning headers the server would send.
    Anonymous {
        user: UserInfo,
        warnings: Vec<String>,
    },
    /// The server answers 401, for these reasons.
    Unauthorized { reasons: Vec<String> },
    /// kauth cannot tell offline (an opaque token with no token file to
    /// check it against, for example).
    Unknown { reason: String },
}

impl Verdict {
    pub fn user(&self) -> Option<&UserInfo> {
        match self {
            Verdict::Authenticated { user, .. } | Verdict::Anonymous { user, .. } => Some(user),
            _ => None,
        }
    }
}

/// Go's `certificateIdentifier`: `SN=..., SKID=..., AKID=...`.
fn certificate_identifier(der: &[u8]) -> String {
    let Ok((_, c)) = x509_parser::parse_x509_certificate(der) else {
        return "(unparseable)".into();
    };
    let hex = |b: &[u8]| {
        b.iter()
            .map(|x| format!("{x:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    let mut skid = String::new();
    let mut akid = String::new();
    for ext in c.extensions() {
        match ext.parsed_extension() {
            x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => skid = hex(k.0),
            x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(a) => {
                akid = a
                    .key_identifier
                    .as_ref()
                    .map(|k| hex(k.0))
                    .unwrap_or_default()
            }
            _ => {}
        }
    }
    format!("SN={}, SKID={skid}, AKID={akid}", c.tbs_certificate.serial)
}

/// `Ok(None)`: the certificate verifies but makes no user (an empty CN),
/// so the server goes on as if it had not been sent.
fn by_certificate(
    chain: &[Vec<u8>],
    server: &ServerConfig,
    now: OffsetDateTime,
) -> Result<Option<(UserInfo, Vec<Check>)>, String> {
    // Go's TLS server parses every certificate the client sends and
    // fails the handshake on the first it cannot parse.
    let parsed = chain
        .iter()
        .map(|d| x509::Cert::from_der(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("tls: failed to parse client certificate: {e}"))?;
    let (leaf, inter) = parsed.split_first().expect("the chain is not empty");
    let leaf = leaf.clone();
    let mut checks = Vec::new();
    match &server.client_ca {
        Some(roots) => {
            let roots: Vec<x509::Cert> = roots
                .iter()
                .filter_map(|d| x509::Cert::from_der(d).ok())
                .collect();
            x509::verify(&leaf, inter, &roots, now).map_err(|e| {
                format!(
                    "verifying certificate {} failed: {e}",
                    certificate_identifier(&chain[0])
                )
            })?;
            checks.push(Check::Passed(
                "chain to the client CA, validity, clientAuth usage".into(),
            ));
        }
        None => {
            // Without the CA, the leaf's own dates and usages still count.
            let alone = x509::verify(&leaf, &[], std::slice::from_ref(&leaf), now);
            match alone {
                Err(
                    e @ (x509::VerifyError::Expired(_)
                    | x509::VerifyError::IncompatibleUsage
                    | x509::VerifyError::UnhandledCriticalExtension),
                ) => {
                    return Err(format!(
                        "verifying certificate {} failed: {e}",
                        certificate_identifier(&chain[0])
                    ));
                }
                _ => checks.push(Check::NotChecked(
                    "that the certificate chains to the server's client CA (pass --client-ca)"
                        .into(),
                )),
            }
        }
    }
    match x509::user_from_certificate(&leaf) {
        Ok(user) => Ok(Some((user, checks))),
        Err(x509::UserError::EmptyCommonName) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn by_token(
    token: &str,
    server: &ServerConfig,
    now: OffsetDateTime,
) -> Result<(UserInfo, String, Vec<Check>), Result<String, String>> {
    if let Some(file) = &server.token_file
        && let Some((user, line)) = file.authenticate(token)
    {
        return Ok((
            user.clone(),
            format!("static token (token file line {line})"),
            Vec::new(),
        ));
    }
    // Upstream's order: the token file, ServiceAccounts, then bootstrap
    // tokens; a token has at most one of the forms the last two read.
    let mut bootstrap_refusal = None;
    if let Some(tokens) = &server.bootstrap {
        match tokens.authenticate(token, now) {
            Some(Ok(user)) => {
                let id = bootstrap::token_id(token).unwrap_or_default();
                return Ok((
                    user,
                    format!("bootstrap token (Secret kube-system/bootstrap-token-{id})"),
                    Vec::new(),
                ));
            }
            Some(Err(refusal)) => bootstrap_refusal = Some(refusal.to_string()),
            None => {}
        }
    }
    if let Some(refusal) = bootstrap_refusal {
        return Err(Ok(format!(
            "invalid bearer token (bootstrap token: {refusal})"
        )));
    }
    match service_account::review(token, &server.service_accounts, now) {
        Ok(report) => {
            let failures = report.failures();
            if failures.is_empty() {
                let method = match report.kind {
                    service_account::TokenKind::Legacy => "legacy ServiceAccount token",
                    service_account::TokenKind::Bound => "bound ServiceAccount token",
                };
                Ok((
                    report.user.clone(),
                    method.to_string(),
                    report.checks.clone(),
                ))
            } else {
                Err(Ok(failures.join("; ")))
            }
        }
        // Not a ServiceAccount token and not in the token file: the JWT
        // authenticators, each for its own issuer.
        Err(e) => {
            let mut refusals = Vec::new();
            for a in &server.jwt {
                match a.authenticate(token, now) {
                    oidc::Outcome::NotMine => {}
                    oidc::Outcome::User(user, checks) => {
                        return Ok((
                            user,
                            format!("JWT authenticator for issuer {}", a.config.issuer),
                            checks,
                        ));
                    }
                    oidc::Outcome::Refused(why) => refusals.push(why),
                }
            }
            if !refusals.is_empty() {
                return Err(Ok(format!(
                    "invalid bearer token ({})",
                    refusals.join("; ")
                )));
            }
            if server.token_file.is_some()
                || !server.jwt.is_empty()
                || server.all_token_authenticators
            {
                let mut not = Vec::new();
                if server.token_file.is_some() {
                    not.push("not in the token file".to_string());
                }
                if server.token_file.is_none() && server.all_token_authenticators {
                    not.push("the server has no token file".to_string());
                }
                if !server.jwt.is_empty() {
                    let issuers: Vec<&str> = server
                        .jwt
                        .iter()
                        .map(|a| a.config.issuer.as_str())
                        .collect();
                    not.push(format!("not from a JWT issuer ({})", issuers.join(", ")));
                }
                Err(Ok(format!(
                    "invalid bearer token ({e}; {})",
                    not.join("; ")
                )))
            } else {
                Err(Err(format!(
                    "an opaque bearer token ({e}): it may be a static token, an OIDC or a webhook token; pass --token-file to check it against the server's static token file"
                )))
            }
        }
    }
}

/// The user kube-apiserver gives a request presenting `credential` with
/// the front-proxy headers `headers`, at `now`: the request-header
/// authenticator first (on the request's client certificate), then
/// [`authenticate`]. Without `--requestheader-*` the headers are ordinary
/// headers and change nothing.
pub fn authenticate_request(
    credential: &Credential,
    headers: &request_header::Headers,
    server: &ServerConfig,
    now: OffsetDateTime,
) -> Verdict {
    let chain = match credential {
        Credential::Certificate(c) | Credential::CertificateAndToken(c, _) => c.as_slice(),
        _ => &[],
    };
    let mut failure = None;
    if let Some(rh) = &server.request_header {
        match rh.authenticate(headers, chain, now) {
            request_header::Outcome::Authenticated(user) => {
                let proxy = chain
                    .first()
                    .and_then(|d| x509::Cert::from_der(d).ok())
                    .map(|c| c.subject.common_name)
                    .unwrap_or_default();
                return Verdict::Authenticated {
                    user: user.with_authenticated_group(),
                    method: format!(
                        "request-header: the headers of the front proxy {proxy:?}, whose certificate chains to --requestheader-client-ca-file"
                    ),
                    checks: Vec::new(),
                };
            }
            request_header::Outcome::Failed(f) => failure = Some(f.to_string()),
            request_header::Outcome::NoCertificate | request_header::Outcome::NoUsername { .. } => {
            }
        }
    }
    match (authenticate(credential, server, now), failure) {
        (Verdict::Unauthorized { mut reasons }, Some(f)) => {
            reasons.insert(0, f);
            Verdict::Unauthorized { reasons }
        }
        (Verdict::Anonymous { .. }, Some(f)) => Verdict::Unauthorized { reasons: vec![f] },
        (verdict, _) => verdict,
    }
}

/// The user kube-apiserver gives `credential`, at `now`.
pub fn authenticate(
    credential: &Credential,
    server: &ServerConfig,
    now: OffsetDateTime,
) -> Verdict {
    let (chain, token) = match credential {
        Credential::Certificate(c) => (Some(c), None),
        Credential::Token(t) => (None, Some(t)),
        Credential::CertificateAndToken(c, t) => (Some(c), Some(t)),
        Credential::None => (None, None),
    };
    let mut reasons = Vec::new();
    let mut warnings = Vec::new();
    if let Some(chain) = chain.filter(|c| !c.is_empty()) {
        match by_certificate(chain, server, now) {
            Ok(Some((user, checks))) => {
                return Verdict::Authenticated {
                    user: user.with_authenticated_group(),
                    method: "client certificate".into(),
                    checks,
                };
            }
            Ok(None) => {}
            Err(e) => reasons.push(e),
        }
    }
    let token = match token.map(|t| bearer::as_sent(t)) {
        None | Some(bearer::Bearer::Absent) => None,
        // No opinion, not a failure: the request goes on as if it had
        // no token (upstream `bearertoken`, and a v1.36 server recorded).
        Some(bearer::Bearer::Empty) => {
            warnings.push(bearer::EXTRA_SPACE_WARNING.to_string());
            None
        }
        Some(bearer::Bearer::Token(t)) => Some(t),
    };
    if let Some(token) = token {
        match by_token(token, server, now) {
            Ok((user, method, checks)) => {
                return Verdict::Authenticated {
                    user: user.with_authenticated_group(),
                    method,
                    checks,
                };
            }
            Err(Ok(reason)) => reasons.push(reason),
            Err(Err(unknown)) if reasons.is_empty() => return Verdict::Unknown { reason: unknown },
            Err(Err(unknown)) => reasons.push(unknown),
        }
    }
    if !reasons.is_empty() {
        return Verdict::Unauthorized { reasons };
    }
    if server.anonymous_disabled {
        return Verdict::Unauthorized {
            reasons: vec!["no credential, and anonymous authentication is disabled".into()],
        };
    }
    Verdict::Anonymous {
        user: UserInfo::anonymous(),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kauth_pki::ca::Ca;
    use kauth_pki::key::{KeyAlgorithm, PrivateKey};
    use kauth_pki::name::Subject;
    use time::{Duration, macros::datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    fn issue(ca: &Ca, subject: Subject) -> Vec<Vec<u8>> {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let spki = key.public_key_der().unwrap();
        vec![
            ca.sign_client(subject.to_der(), &spki, NOW, Duration::days(1))
                .unwrap(),
        ]
    }

    fn server(ca: &Ca) -> ServerConfig {
        ServerConfig {
            client_ca: Some(vec![ca.cert_der.clone()]),
            token_file: Some(
                token_file::TokenFile::parse("t1,alice,uid-a,\"devs,qa\"\n", "tokens.csv").unwrap(),
            ),
            ..ServerConfig::default()
        }
    }

    #[test]
    fn the_chain_follows_kube_apiserver() {
        let ca = Ca::create(
            "ca",
            KeyAlgorithm::EcdsaP256,
            NOW - Duration::days(1),
            Duration::days(30),
        )
        .unwrap();
        let s = server(&ca);
        let kfree = issue(&ca, Subject::new("kfree", &["dev".into()], None));
        let Verdict::Authenticated { user, .. } =
            authenticate(&Credential::Certificate(kfree.clone()), &s, NOW)
        else {
            panic!()
        };
        assert_eq!(user.groups, ["dev", "system:authenticated"]);
        // A certificate wins over a token; a bad token does not matter then.
        let both = authenticate(
            &Credential::CertificateAndToken(kfree, "nope".into()),
            &s,
            NOW,
        );
        assert_eq!(both.user().unwrap().username, "kfree");
        // An empty CN makes no user: the token decides, or the request is anonymous.
        let nameless = issue(&ca, Subject::new("", &["dev".into()], None));
        assert_eq!(
            authenticate(&Credential::Certificate(nameless.clone()), &s, NOW),
            Verdict::Anonymous {
                user: UserInfo::anonymous(),
                warnings: Vec::new()
            }
        );
        let with_token = authenticate(
            &Credential::CertificateAndToken(nameless, "t1".into()),
            &s,
            NOW,
        );
        assert_eq!(
            with_token.user().unwrap().groups,
            ["devs", "qa", "system:authenticated"]
        );
        // A failing credential is a 401, never anonymous.
        let other = Ca::create(
            "other",
            KeyAlgorithm::EcdsaP256,
            NOW - Duration::days(1),
            Duration::days(30),
        )
        .unwrap();
        let stranger = issue(&other, Subject::new("x", &[], None));
        assert!(matches!(
            authenticate(&Credential::Certificate(stranger), &s, NOW),
            Verdict::Unauthorized { .. }
        ));
        let Verdict::Unauthorized { reasons } =
            authenticate(&Credential::Token("nope".into()), &s, NOW)
        else {
            panic!()
        };
        assert!(
            reasons[0].starts_with("invalid bearer token"),
            "{reasons:?}"
        );
        let off = ServerConfig {
            anonymous_disabled: true,
            ..s
        };
        assert!(matches!(
            authenticate(&Credential::None, &off, NOW),
            Verdict::Unauthorized { .. }
        ));
    }

    /// `legacyValidator.Validate`: the claims a legacy token must carry.
    #[test]
    fn legacy_tokens_need_their_claims() {
        let key = PrivateKey::generate(KeyAlgorithm::Rsa { bits: 2048 }).unwrap();
        let claims = serde_json::json!({
            "iss": "kubernetes/serviceaccount",
            "sub": "system:serviceaccount:test:sa1",
            "kubernetes.io/serviceaccount/namespace": "test",
            "kubernetes.io/serviceaccount/secret.name": "sa1-token",
            "kubernetes.io/serviceaccount/service-account.name": "sa1",
            "kubernetes.io/serviceaccount/service-account.uid": "u-1",
        });
        let review = |c: &serde_json::Value| {
            service_account::review(&jwt::sign(&key, None, c).unwrap(), &Default::default(), NOW)
                .unwrap()
        };
        assert!(review(&claims).accepted());
        for (field, want) in [
            ("sub", "sub claim is missing"),
            (
                "kubernetes.io/serviceaccount/secret.name",
                "secretName claim is missing",
            ),
            (
                "kubernetes.io/serviceaccount/service-account.uid",
                "serviceAccountUID claim is missing",
            ),
        ] {
            let mut c = claims.clone();
            c.as_object_mut().unwrap().remove(field);
            assert_eq!(review(&c).failures(), [want]);
        }
        let mut c = claims.clone();
        c["sub"] = "system:serviceaccount:other:sa1".into();
        assert_eq!(review(&c).failures(), ["sub claim is invalid"]);
    }
}
