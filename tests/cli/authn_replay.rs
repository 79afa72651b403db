//! The authenticators of kube-apiserver's chain against a real one: every
//! case of the recorded scenarios in tests/fixtures/apiserver/chain (see
//! its README) is replayed
//! through the part of the chain those cases need, built here in the
//! order of `pkg/kubeapiserver/authenticator/config.go`: request-header,
//! x509 (`--client-ca-file`), then the bearer token (static token file,
//! ServiceAccount tokens, bootstrap tokens), then anonymous; with `now` the
//! case's `request_time_unix`. The status (401, or authenticated and then
//! RBAC's 403 or success) and the whole SelfSubjectReview userInfo must be
//! the server's.

use std::path::{Path, PathBuf};

use kauth_auth::UserInfo;
use kauth_auth::authn::bootstrap::BootstrapTokens;
use kauth_auth::authn::jwt::PublicKey;
use kauth_auth::authn::request_header::{self, Headers, Outcome, RequestHeader};
use kauth_auth::authn::token_file::TokenFile;
use kauth_auth::authn::{self, service_account, x509};
use kauth_auth::authz::rbac::{Attributes, Policy};
use kauth_auth::{authz, request_info};
use kauth_pki::cert;
use serde_json::Value;
use time::OffsetDateTime;

fn scenario_dir(scenario: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apiserver/chain")
        .join(scenario)
}

/// The server's flags, with `$STATE/` files read from the fixture.
struct Flags {
    dir: PathBuf,
    values: Vec<(String, String)>,
}

impl Flags {
    fn read(scenario: &str) -> Flags {
        let dir = scenario_dir(scenario);
        let flags: Value =
            serde_json::from_slice(&std::fs::read(dir.join("config/flags.json")).unwrap()).unwrap();
        let values = flags["kube_apiserver_command"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a.as_str()?.strip_prefix("--"))
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (a.to_string(), "true".to_string()),
            })
            .collect();
        Flags { dir, values }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn file(&self, name: &str) -> Option<Vec<u8>> {
        let path = self.get(name)?.strip_prefix("$STATE/").unwrap();
        Some(std::fs::read(self.dir.join("config/files").join(path)).unwrap())
    }
}

/// The same configuration as kauth's own chain takes it
/// ([`authn::authenticate_request`]).
fn server_config(flags: &Flags, objects: &[Value]) -> authn::ServerConfig {
    let chain = Chain::new(flags, objects);
    authn::ServerConfig {
        client_ca: Some(
            cert::certificates_from_pem(&flags.file("client-ca-file").unwrap()).unwrap(),
        ),
        token_file: Some(chain.tokens),
        service_accounts: chain.service_accounts,
        bootstrap: chain.bootstrap,
        request_header: chain.request_header,
        all_token_authenticators: true,
        ..authn::ServerConfig::default()
    }
}

/// The credential a request carries as kauth's chain takes it: the client
/// certificate, and the token of the first `Authorization` header when it
/// is a bearer one (what follows `Bearer `, as the server splits it).
fn credential(chain: &[Vec<u8>], headers: &Headers) -> authn::Credential {
    let value = headers.get("Authorization").trim();
    let token = value
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .map(|_| value[7..].to_string());
    match (chain.is_empty(), token) {
        (false, Some(t)) => authn::Credential::CertificateAndToken(chain.to_vec(), t),
        (false, None) => authn::Credential::Certificate(chain.to_vec()),
        (true, Some(t)) => authn::Credential::Token(t),
        (true, None) => authn::Credential::None,
    }
}

/// The part of kube-apiserver's authentication chain these scenarios use.
struct Chain {
    request_header: Option<RequestHeader>,
    client_ca: Vec<x509::Cert>,
    tokens: TokenFile,
    service_accounts: service_account::Options,
    bootstrap: Option<BootstrapTokens>,
}

/// What the chain makes of a request.
#[derive(Debug)]
enum Authn {
    Unauthorized(Vec<String>),
    User(UserInfo),
}

impl Chain {
    fn new(flags: &Flags, objects: &[Value]) -> Chain {
        let client_ca = cert::certificates_from_pem(&flags.file("client-ca-file").unwrap())
            .unwrap()
            .iter()
            .map(|d| x509::Cert::from_der(d).unwrap())
            .collect();
        let tokens = TokenFile::parse(
            &String::from_utf8(flags.file("token-auth-file").unwrap()).unwrap(),
            "tokens.csv",
        )
        .unwrap();
        let service_accounts = service_account::Options {
            keys: PublicKey::from_pem(&flags.file("service-account-key-file").unwrap(), "sa.pub")
                .unwrap(),
            issuers: flags.list("service-account-issuer"),
            api_audiences: flags.list("api-audiences"),
        };
        let bootstrap = flags
            .get("enable-bootstrap-token-auth")
            .filter(|v| *v == "true")
            .map(|_| BootstrapTokens::from_secrets(objects).unwrap());
        let request_header = flags.file("requestheader-client-ca-file").map(|ca| {
            RequestHeader::new(&request_header::Flags {
                client_ca: cert::certificates_from_pem(&ca).unwrap(),
                allowed_names: flags.list("requestheader-allowed-names"),
                username_headers: flags.list("requestheader-username-headers"),
                uid_headers: flags.list("requestheader-uid-headers"),
                group_headers: flags.list("requestheader-group-headers"),
                extra_headers_prefix: flags.list("requestheader-extra-headers-prefix"),
            })
            .unwrap()
        });
        Chain {
            request_header,
            client_ca,
            tokens,
            service_accounts,
            bootstrap,
        }
    }

    /// `x509.Authenticator`: `Ok(None)` is no opinion.
    fn x509(&self, chain: &[Vec<u8>], now: OffsetDateTime) -> Result<Option<UserInfo>, String> {
        if chain.is_empty() {
            return Ok(None);
        }
        let parsed: Vec<x509::Cert> = chain
            .iter()
            .map(|d| x509::Cert::from_der(d).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        x509::verify(&parsed[0], &parsed[1..], &self.client_ca, now)
            .map_err(|e| format!("verifying certificate failed: {e}"))?;
        match x509::user_from_certificate(&parsed[0]) {
            Ok(u) => Ok(Some(u)),
            Err(x509::UserError::EmptyCommonName) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    /// `bearertoken.Authenticator` over the token union.
    fn bearer(&self, headers: &Headers, now: OffsetDateTime) -> Result<Option<UserInfo>, String> {
        // `strings.TrimSpace(req.Header.Get("Authorization"))`.
        let value = headers.get("Authorization").trim();
        if value.is_empty() {
            return Ok(None);
        }
        let parts: Vec<&str> = value.splitn(3, ' ').collect();
        if parts.len() < 2 || !parts[0].eq_ignore_ascii_case("bearer") || parts[1].is_empty() {
            return Ok(None);
        }
        let token = parts[1];
        if let Some((user, _)) = self.tokens.authenticate(token) {
            return Ok(Some(user.clone()));
        }
        if let Ok(review) = service_account::review(token, &self.service_accounts, now)
            && review.accepted()
        {
            return Ok(Some(review.user));
        }
        if let Some(Ok(user)) = self
            .bootstrap
            .as_ref()
            .and_then(|b| b.authenticate(token, now))
        {
            return Ok(Some(user));
        }
        Err("invalid bearer token".into())
    }

    /// `headerrequest`'s verifier in front of the header handler.
    fn front_proxy(
        &self,
        headers: &Headers,
        chain: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Result<Option<UserInfo>, String> {
        let Some(rh) = &self.request_header else {
            return Ok(None);
        };
        match rh.authenticate(headers, chain, now) {
            Outcome::NoCertificate | Outcome::NoUsername { .. } => Ok(None),
            Outcome::Failed(f) => Err(f.to_string()),
            Outcome::Authenticated(user) => Ok(Some(user)),
        }
    }

    /// The union, the authenticated-group adder and anonymous.
    fn authenticate(
        &self,
        pairs: &[(String, String)],
        chain: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Authn {
        let headers = Headers::read(pairs).unwrap();
        let mut errors = Vec::new();
        let steps: [&dyn Fn() -> Result<Option<UserInfo>, String>; 3] = [
            &|| self.front_proxy(&headers, chain, now),
            &|| self.x509(chain, now),
            &|| self.bearer(&headers, now),
        ];
        for step in steps {
            match step() {
                Ok(Some(user)) => return Authn::User(user.with_authenticated_group()),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Authn::User(UserInfo::anonymous())
        } else {
            Authn::Unauthorized(errors)
        }
    }
}

fn objects(scenario: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(scenario_dir(scenario).join("objects.yaml")).unwrap();
    kauth_formats::yaml::parse_documents(&text)
        .unwrap()
        .iter()
        .map(kauth_formats::yaml::to_json)
        .collect()
}

fn policy(objects: &[Value]) -> Policy {
    let mut p = authz::default_policy();
    for o in objects {
        p.add_value(o.clone(), "objects.yaml").unwrap();
    }
    p.aggregate();
    p.index();
    p
}

/// Replays every case of `scenario`; returns (cases, failures).
fn replay(scenario: &str) -> (usize, Vec<String>) {
    let flags = Flags::read(scenario);
    let objects = objects(scenario);
    let chain = Chain::new(&flags, &objects);
    let server = server_config(&flags, &objects);
    let policy = policy(&objects);
    let text = std::fs::read_to_string(scenario_dir(scenario).join("cases.jsonl")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        count += 1;
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        let req = &case["request"];
        let headers: Vec<(String, String)> = req["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
            .collect();
        let chain_der: Vec<Vec<u8>> = match case["credential"]["client_cert"].as_str() {
            Some(name) => {
                let pem = std::fs::read(
                    scenario_dir(scenario).join(format!("config/files/client-certs/{name}.crt")),
                )
                .unwrap();
                let der = cert::certificates_from_pem(&pem).unwrap();
                // The file is the certificate the case presented.
                assert_eq!(
                    cert::sha256_hex(&der[0]).to_lowercase(),
                    case["credential"]["cert"]["sha256"].as_str().unwrap(),
                    "{id}"
                );
                der
            }
            None => Vec::new(),
        };
        let secs = case["request_time_unix"].as_f64().unwrap();
        let now = OffsetDateTime::from_unix_timestamp_nanos((secs * 1e9) as i128).unwrap();
        let status = case["status"].as_u64().unwrap();
        // kauth's chain, as `whoami` and `request` use it.
        let parsed = Headers::read(&headers).unwrap();
        let verdict =
            authn::authenticate_request(&credential(&chain_der, &parsed), &parsed, &server, now);
        match (&verdict, status) {
            (authn::Verdict::Unauthorized { .. }, 401) => {}
            (authn::Verdict::Unauthorized { reasons }, _) => failures.push(format!(
                "{id}: the server said {status}, kauth's chain 401 {reasons:?}"
            )),
            (v, 401) => failures.push(format!("{id}: the server said 401, kauth's chain {v:?}")),
            (v, _) if !case["userInfo"].is_null() => {
                let got = v.user().map(|u| serde_json::to_value(u).unwrap());
                if got.as_ref() != Some(&case["userInfo"]) {
                    failures.push(format!(
                        "{id}: kauth's chain gives {got:?}, the server {}",
                        case["userInfo"]
                    ));
                }
            }
            _ => {}
        }
        let user = match chain.authenticate(&headers, &chain_der, now) {
            Authn::Unauthorized(reasons) => {
                if status != 401 {
                    failures.push(format!(
                        "{id}: the server said {status}, kauth 401 {reasons:?}"
                    ));
                }
                continue;
            }
            Authn::User(user) => user,
        };
        if status == 401 {
            failures.push(format!(
                "{id}: the server said 401, kauth authenticates {user:?}"
            ));
            continue;
        }
        let (info, _) = request_info::parse(
            req["method"].as_str().unwrap(),
            req["path"].as_str().unwrap(),
        );
        let allowed =
            authz::authorize(&policy, &Attributes::from_request(user.clone(), &info)).allowed();
        let want_allowed = status != 403;
        if allowed != want_allowed {
            failures.push(format!(
                "{id}: the server said {status}, kauth allowed={allowed} for {user:?}"
            ));
            continue;
        }
        if !case["userInfo"].is_null() {
            let got = serde_json::to_value(&user).unwrap();
            if got != case["userInfo"] {
                failures.push(format!(
                    "{id}: userInfo\n  server: {}\n  kauth:  {got}",
                    case["userInfo"]
                ));
            }
        }
    }
    (count, failures)
}

/// Every case of `scenario` (there are `cases`) agrees with the server.
fn assert_replays(scenario: &str, cases: usize) {
    let (count, failures) = replay(scenario);
    assert_eq!(count, cases);
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bootstrap_tokens_replay_as_the_server_decided() {
    assert_replays("bootstrap-token", 30);
}

#[test]
fn front_proxy_with_allowed_names_replays_as_the_server_decided() {
    assert_replays("requestheader-allowed", 27);
}

#[test]
fn front_proxy_with_any_name_replays_as_the_server_decided() {
    assert_replays("requestheader-any", 30);
}
