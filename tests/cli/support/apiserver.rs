//! A test kube-apiserver on 127.0.0.1: HTTPS, client certificates
//! requested but not required (as the real one), bearer tokens, decisions
//! made by kauth's auth core (the same code a real server's behaviour was
//! checked against in `recorded_apiserver.rs`), and bodies shaped as
//! kube-apiserver's: Status objects, SelfSubjectReview, access reviews and
//! recorded objects.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kauth_auth::UserInfo;
use kauth_auth::authn::{Credential, ServerConfig, authenticate};
use kauth_auth::authz::rbac::{Attributes, Policy};
use kauth_auth::authz::{self};
use kauth_auth::request_info;
use kauth_pki::ca::Ca;
use kauth_pki::cert::{self, CertSpec, Issuer, Usage};
use kauth_pki::key::{KeyAlgorithm, PrivateKey};
use kauth_pki::name::Subject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub user: Option<UserInfo>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A route's answer: status and JSON body.
pub type Route = Box<dyn Fn(&Seen) -> Option<(u16, Value)> + Send + Sync>;

/// The ServiceAccount issuer the test server signs tokens as.
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

pub struct TestServer {
    pub url: String,
    pub port: u16,
    pub dir: PathBuf,
    pub ca: Arc<Ca>,
    /// Whether a signer issues approved client certificate requests.
    pub signer: Arc<std::sync::atomic::AtomicBool>,
    /// The serving certificate's CA, in PEM (for kubeconfigs).
    pub ca_pem: String,
    /// The serving certificate, in PEM.
    pub serving_pem: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    routes: Arc<Mutex<Vec<Route>>>,
    /// Stored objects by path (`/api/v1/namespaces/test/secrets/x`).
    pub objects: Arc<Mutex<std::collections::BTreeMap<String, Value>>>,
    /// Whether a token controller fills token Secrets.
    pub token_controller: Arc<std::sync::atomic::AtomicBool>,
    /// The ServiceAccount signing key (--service-account-key-file's pair).
    pub sa_key: Arc<PrivateKey>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apiserver")
}

/// A recorded response body.
pub fn recorded(file: &str) -> Value {
    let v: Value = serde_json::from_slice(&std::fs::read(fixtures().join(file)).unwrap()).unwrap();
    v["response"]["body"].clone()
}

/// A Status like kube-apiserver's.
pub fn status(code: u16, reason: &str, message: &str, details: Value) -> Value {
    let mut s = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code});
    if !details.is_null() {
        s["details"] = details;
    }
    s
}

impl TestServer {
    /// Starts a server whose client CA is `ca` and whose RBAC is the
    /// defaults plus `rbac_yaml`. Static tokens: `tokens_csv`.
    pub fn start(dir: &Path, rbac_yaml: &str, tokens_csv: &str) -> TestServer {
        let now = OffsetDateTime::now_utc();
        let ca = Ca::create(
            "test-cluster-ca",
            KeyAlgorithm::EcdsaP256,
            now,
            Duration::days(30),
        )
        .unwrap();
        let ca = Arc::new(ca);
        let signer = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let ca_pem = cert::to_pem("CERTIFICATE", &ca.cert_der);
        // The serving certificate, for 127.0.0.1 and localhost.
        let serving_key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let serving = serving_certificate(&ca, &serving_key);
        let sa_key = Arc::new(PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap());
        let mut server_config = ServerConfig {
            client_ca: Some(vec![ca.cert_der.clone()]),
            ..ServerConfig::default()
        };
        server_config.service_accounts.keys = vec![
            kauth_auth::authn::jwt::PublicKey::from_spki(&sa_key.public_key_der().unwrap())
                .unwrap(),
        ];
        server_config.service_accounts.issuers = vec![ISSUER.to_string()];
        if !tokens_csv.is_empty() {
            server_config.token_file = Some(
                kauth_auth::authn::token_file::TokenFile::parse(tokens_csv, "tokens.csv").unwrap(),
            );
        }
        let mut policy = authz::default_policy();
        if !rbac_yaml.is_empty() {
            policy.add_text(rbac_yaml, "test.yaml").unwrap();
        }
        policy.aggregate();
        policy.index();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(Arc::new(AnyClientCert(provider)))
            .with_single_cert(
                vec![CertificateDer::from(serving.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(serving_key.pkcs8_der().to_vec())),
            )
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Mutex<Vec<Route>>> = Arc::new(Mutex::new(Vec::new()));
        let objects = Arc::new(Mutex::new(std::collections::BTreeMap::new()));
        let token_controller = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let state = Arc::new(State {
            tls: Arc::new(tls),
            server: server_config,
            policy,
            seen: seen.clone(),
            routes: routes.clone(),
            objects: objects.clone(),
            token_controller: token_controller.clone(),
            sa_key: sa_key.clone(),
            ca: ca.clone(),
            signer: signer.clone(),
        });
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = state.clone();
                std::thread::spawn(move || {
                    let _ = state.serve(stream);
                });
            }
        });
        std::fs::write(dir.join("cluster-ca.crt"), &ca_pem).unwrap();
        TestServer {
            url: format!("https://127.0.0.1:{port}"),
            port,
            dir: dir.to_path_buf(),
            ca,
            signer,
            ca_pem,
            serving_pem: cert::to_pem("CERTIFICATE", &serving),
            seen,
            routes,
            objects,
            token_controller,
            sa_key,
        }
    }

    /// Stores an object at its path (from its kind, namespace and name).
    pub fn put(&self, obj: Value) -> Value {
        let path = object_path(&obj);
        self.objects.lock().unwrap().insert(path, obj.clone());
        obj
    }

    /// A ServiceAccount; returns its UID.
    pub fn service_account(&self, ns: &str, name: &str) -> String {
        let uid = format!("uid-{ns}-{name}-{}", self.objects.lock().unwrap().len());
        self.put(json!({"kind": "ServiceAccount", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": ns, "uid": uid, "creationTimestamp": "2026-11-22T21:33:25Z"}}));
        uid
    }

    /// A filled legacy token Secret for the ServiceAccount.
    pub fn token_secret(
        &self,
        ns: &str,
        account: &str,
        secret: &str,
        sa_uid: &str,
        created: &str,
        labels: Value,
    ) -> String {
        let token = legacy_token(&self.sa_key, ns, account, secret, sa_uid);
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        self.put(json!({"kind": "Secret", "apiVersion": "v1", "type": "kubernetes.io/service-account-token",
            "metadata": {"name": secret, "namespace": ns, "creationTimestamp": created, "labels": labels,
                "annotations": {"kubernetes.io/service-account.name": account, "kubernetes.io/service-account.uid": sa_uid}},
            "data": {"token": b64(token.as_bytes()), "ca.crt": b64(self.ca_pem.as_bytes()), "namespace": b64(ns.as_bytes())}}));
        token
    }

    /// Adds a route, tried before the built-in ones.
    pub fn route(&self, r: impl Fn(&Seen) -> Option<(u16, Value)> + Send + Sync + 'static) {
        self.routes.lock().unwrap().push(Box::new(r));
    }

    /// Issues a client certificate signed by the cluster CA, written as
    /// NAME.crt and NAME.key in the server's directory.
    pub fn client_cert(&self, name: &str, cn: &str, groups: &[&str]) -> (PathBuf, PathBuf) {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        let der = self
            .ca
            .sign_client(
                Subject::new(cn, &groups, None).to_der(),
                &key.public_key_der().unwrap(),
                OffsetDateTime::now_utc(),
                Duration::days(1),
            )
            .unwrap();
        let crt = self.dir.join(format!("{name}.crt"));
        let k = self.dir.join(format!("{name}.key"));
        std::fs::write(&crt, cert::to_pem("CERTIFICATE", &der)).unwrap();
        std::fs::write(&k, key.to_pem().as_bytes()).unwrap();
        (crt, k)
    }

    /// A kubeconfig for this server with the given user stanza (YAML,
    /// indented under `user:`).
    pub fn kubeconfig(&self, file: &str, user_yaml: &str) -> PathBuf {
        use base64::Engine as _;
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: test\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: u\n    namespace: test\nusers:\n- name: u\n  user:\n{user_yaml}\n",
            self.url
        );
        let path = self.dir.join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// A kubeconfig NAME.kubeconfig whose user is a client certificate
    /// for CN and GROUPS signed by the cluster CA.
    pub fn cert_kubeconfig(&self, name: &str, cn: &str, groups: &[&str]) -> PathBuf {
        let (crt, key) = self.client_cert(name, cn, groups);
        self.kubeconfig(
            &format!("{name}.kubeconfig"),
            &format!(
                "    client-certificate: {}\n    client-key: {}",
                crt.display(),
                key.display()
            ),
        )
    }

    /// The user name the server gave the last request.
    pub fn last_user(&self) -> String {
        let seen = self.seen.lock().unwrap();
        seen.last()
            .and_then(|s| s.user.as_ref())
            .map(|u| u.username.clone())
            .unwrap_or_default()
    }

    /// The JSON body of the last request whose path ends with `suffix`.
    pub fn last_body(&self, suffix: &str) -> Value {
        let seen = self.seen.lock().unwrap();
        let s = seen
            .iter()
            .rev()
            .find(|s| s.path.ends_with(suffix))
            .expect("no such request");
        serde_json::from_slice(&s.body).unwrap()
    }
}

/// A server in a new directory, and a kubeconfig for a cluster-admin
/// (`kadmin` in system:masters).
pub fn with_admin() -> (tempfile::TempDir, TestServer, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start(tmp.path(), "", "");
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    (tmp, server, kc)
}

fn serving_certificate(ca: &Ca, key: &PrivateKey) -> Vec<u8> {
    // A server certificate: kauth's PKI makes client ones, so build it here.
    let (_, c) = x509_parser::parse_x509_certificate(&ca.cert_der).unwrap();
    let san = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next()
                .write_tagged_implicit(yasna::Tag::context(7), |w| w.write_bytes(&[127, 0, 0, 1]));
            w.next()
                .write_tagged_implicit(yasna::Tag::context(2), |w| w.write_bytes(b"localhost"));
        })
    });
    let spki = key.public_key_der().unwrap();
    let now = OffsetDateTime::now_utc();
    let mut usage = Usage::client(false);
    usage.ext_key_usage = Some(vec![cert::EKU_SERVER_AUTH]);
    cert::build_certificate_with(
        &CertSpec {
            subject_der: Subject::new("kube-apiserver", &[], None).to_der(),
            public_key_der: &spki,
            serial: cert::random_serial(),
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(1),
            usage,
        },
        &Issuer {
            name_der: c.subject().as_raw(),
            key: &ca.key,
            key_id: Some(cert::key_identifier(c.public_key().raw).unwrap()),
        },
        &[(&[2, 5, 29, 17], false, san)],
    )
    .unwrap()
}

/// Asks for client certificates and takes any: the auth core decides.
#[derive(Debug)]
struct AnyClientCert(Arc<rustls::crypto::CryptoProvider>);

impl rustls::server::danger::ClientCertVerifier for AnyClientCert {
    fn client_auth_mandatory(&self) -> bool {
        false
    }
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }
    // Signatures are checked with the key read by x509-parser, which, as
    // Go, takes X.509 v1 certificates that webpki refuses.
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature_with_raw_key(
            m,
            &spki(c)?,
            d,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature_with_raw_key(
            m,
            &spki(c)?,
            d,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn spki(
    c: &CertificateDer<'_>,
) -> Result<rustls::pki_types::SubjectPublicKeyInfoDer<'static>, rustls::Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(c.as_ref())
        .map_err(|_| rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding))?;
    Ok(rustls::pki_types::SubjectPublicKeyInfoDer::from(
        cert.public_key().raw.to_vec(),
    ))
}

struct State {
    tls: Arc<rustls::ServerConfig>,
    server: ServerConfig,
    policy: Policy,
    seen: Arc<Mutex<Vec<Seen>>>,
    routes: Arc<Mutex<Vec<Route>>>,
    objects: Arc<Mutex<std::collections::BTreeMap<String, Value>>>,
    token_controller: Arc<std::sync::atomic::AtomicBool>,
    sa_key: Arc<PrivateKey>,
    ca: Arc<Ca>,
    signer: Arc<std::sync::atomic::AtomicBool>,
}

const CSR_PATH: &str = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

/// Where kube-apiserver serves an object.
pub fn object_path(obj: &Value) -> String {
    let kind = obj["kind"].as_str().unwrap_or("");
    let name = obj["metadata"]["name"].as_str().unwrap_or("");
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("");
    let (prefix, plural) = match kind {
        "CertificateSigningRequest" => {
            ("/apis/certificates.k8s.io/v1", "certificatesigningrequests")
        }
        "Secret" => ("/api/v1", "secrets"),
        "ServiceAccount" => ("/api/v1", "serviceaccounts"),
        "Pod" => ("/api/v1", "pods"),
        other => panic!("the test server does not store {other}"),
    };
    if ns.is_empty() {
        format!("{prefix}/{plural}/{name}")
    } else {
        format!("{prefix}/namespaces/{ns}/{plural}/{name}")
    }
}

fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

/// A token as the token controller writes into Secrets.
pub fn legacy_token(key: &PrivateKey, ns: &str, account: &str, secret: &str, uid: &str) -> String {
    kauth_auth::authn::jwt::sign(
        key,
        Some("test-key"),
        &json!({"iss": "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": ns,
            "kubernetes.io/serviceaccount/secret.name": secret,
            "kubernetes.io/serviceaccount/service-account.name": account,
            "kubernetes.io/serviceaccount/service-account.uid": uid,
            "sub": format!("system:serviceaccount:{ns}:{account}")}),
    )
    .unwrap()
}

fn not_found(resource: &str, name: &str) -> (u16, Value) {
    (
        404,
        status(
            404,
            "NotFound",
            &format!("{resource} \"{name}\" not found"),
            json!({"name": name, "kind": resource}),
        ),
    )
}

impl State {
    fn serve(&self, tcp: std::net::TcpStream) -> std::io::Result<()> {
        let conn =
            rustls::ServerConnection::new(self.tls.clone()).map_err(std::io::Error::other)?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut reader = BufReader::new(&mut tls);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        reader.read_exact(&mut body)?;
        drop(reader);
        let chain: Vec<Vec<u8>> = tls
            .conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.as_ref().to_vec()).collect())
            .unwrap_or_default();
        let token = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let credential = match (chain.is_empty(), token) {
            (false, Some(t)) => Credential::CertificateAndToken(chain, t),
            (false, None) => Credential::Certificate(chain),
            (true, Some(t)) => Credential::Token(t),
            (true, None) => Credential::None,
        };
        let mut seen = Seen {
            method,
            path,
            headers,
            body,
            user: None,
        };
        let (code, reply) = self.decide(&credential, &mut seen);
        self.seen.lock().unwrap().push(seen);
        let text = reply.to_string();
        let reason = match code {
            200 => "OK",
            201 => "Created",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            422 => "Unprocessable Entity",
            _ => "Status",
        };
        write!(
            tls,
            "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        )?;
        tls.flush()?;
        tls.conn.send_close_notify();
        let _ = tls.flush();
        Ok(())
    }

    fn stored(&self, path: &str) -> Option<Value> {
        self.objects.lock().unwrap().get(path).cloned()
    }

    /// Creates a CSR as kube-apiserver does: validated, with the
    /// requester's identity written into the spec.
    fn create_csr(&self, mut body: Value, user: &kauth_auth::UserInfo) -> (u16, Value) {
        let name = body["metadata"]["name"].as_str().unwrap_or("").to_string();
        let invalid = |field: &str, m: &str| {
            (
                422,
                status(
                    422,
                    "Invalid",
                    &format!(
                        "CertificateSigningRequest.certificates.k8s.io \"{name}\" is invalid: {field}: {m}"
                    ),
                    json!({}),
                ),
            )
        };
        if let Some(s) = body["spec"]["expirationSeconds"]
            .as_i64()
            .filter(|s| *s < 600)
        {
            return invalid(
                "spec.expirationSeconds",
                &format!(
                    "Invalid value: {s}: may not specify a duration less than 600 seconds (10 minutes)"
                ),
            );
        }
        use base64::Engine as _;
        let pem = body["spec"]["request"]
            .as_str()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_default();
        if cert::read_csr(&pem).is_err() {
            return invalid("spec.request", "PEM block type must be CERTIFICATE REQUEST");
        }
        let key = object_path(&body);
        let mut objects = self.objects.lock().unwrap();
        if objects.contains_key(&key) {
            return (
                409,
                status(
                    409,
                    "AlreadyExists",
                    &format!(
                        "certificatesigningrequests.certificates.k8s.io \"{name}\" already exists"
                    ),
                    json!({"name": name, "group": "certificates.k8s.io", "kind": "certificatesigningrequests"}),
                ),
            );
        }
        body["spec"]["username"] = json!(user.username);
        body["spec"]["groups"] = json!(user.groups);
        if !user.uid.is_empty() {
            body["spec"]["uid"] = json!(user.uid);
        }
        body["metadata"]["creationTimestamp"] = json!(
            OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        );
        body["status"] = json!({});
        objects.insert(key, body.clone());
        (201, body)
    }

    fn csr_approval(&self, path: &str, body: Value) -> (u16, Value) {
        let mut objects = self.objects.lock().unwrap();
        let Some(stored) = objects.get_mut(path) else {
            return (404, status(404, "NotFound", "not found", json!({})));
        };
        let conditions = body["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let has = |t: &str| conditions.iter().any(|c| c["type"] == t);
        if has("Approved") && has("Denied") {
            let name = stored["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string();
            return (
                422,
                status(
                    422,
                    "Invalid",
                    &format!(
                        "CertificateSigningRequest.certificates.k8s.io \"{name}\" is invalid: status.conditions: Invalid value: \"Approved\": Approved and Denied conditions are mutually exclusive"
                    ),
                    json!({}),
                ),
            );
        }
        stored["status"]["conditions"] = json!(conditions);
        (200, stored.clone())
    }

    /// The kube-apiserver-client signer: signs an approved request.
    fn sign_csr(&self, mut obj: Value) -> Value {
        let approved = obj["status"]["conditions"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["type"] == "Approved"));
        if !approved
            || obj["status"].get("certificate").is_some()
            || !self.signer.load(std::sync::atomic::Ordering::SeqCst)
        {
            return obj;
        }
        use base64::Engine as _;
        let pem = base64::engine::general_purpose::STANDARD
            .decode(obj["spec"]["request"].as_str().unwrap_or(""))
            .unwrap();
        let csr = cert::read_csr(&pem).unwrap();
        let seconds = obj["spec"]["expirationSeconds"]
            .as_i64()
            .unwrap_or(365 * 86400);
        let der = self
            .ca
            .sign_client(
                csr.subject_der,
                &csr.public_key_der,
                OffsetDateTime::now_utc(),
                Duration::seconds(seconds),
            )
            .unwrap();
        obj["status"]["certificate"] = json!(
            base64::engine::general_purpose::STANDARD.encode(cert::to_pem("CERTIFICATE", &der))
        );
        obj
    }

    /// The TokenRequest API: tokens signed with the ServiceAccount key.
    fn token_request(&self, path: &str, body: &Value) -> (u16, Value) {
        let sa_path = path.trim_end_matches("/token");
        let Some(sa) = self.objects.lock().unwrap().get(sa_path).cloned() else {
            return not_found("serviceaccounts", sa_path.rsplit('/').next().unwrap_or(""));
        };
        let spec = &body["spec"];
        let seconds = spec["expirationSeconds"].as_i64().unwrap_or(3600);
        if seconds < 600 {
            let m = format!(
                "Invalid value: {seconds}: may not specify a duration less than 10 minutes"
            );
            return (
                422,
                status(
                    422,
                    "Invalid",
                    &format!(
                        "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: {m}"
                    ),
                    json!({}),
                ),
            );
        }
        let audiences = match spec["audiences"].as_array() {
            Some(a) if !a.is_empty() => json!(a),
            _ => json!([ISSUER]),
        };
        let now = OffsetDateTime::now_utc();
        let exp = now + Duration::seconds(seconds);
        let ns = sa["metadata"]["namespace"].as_str().unwrap_or("");
        let name = sa["metadata"]["name"].as_str().unwrap_or("");
        let mut k8s = json!({"namespace": ns, "serviceaccount": {"name": name, "uid": sa["metadata"]["uid"]}});
        if let Some(b) = spec.get("boundObjectRef").filter(|b| b.is_object()) {
            let kind = b["kind"].as_str().unwrap_or("").to_lowercase();
            k8s[kind] = json!({"name": b["name"], "uid": b.get("uid").cloned().unwrap_or(json!("uid-bound"))});
        }
        let token = kauth_auth::authn::jwt::sign(
            &self.sa_key,
            Some("test-key"),
            &json!({"aud": audiences, "exp": unix(exp), "iat": unix(now), "nbf": unix(now), "iss": ISSUER,
                "jti": "jti-1", "kubernetes.io": k8s, "sub": format!("system:serviceaccount:{ns}:{name}")}),
        )
        .unwrap();
        let stamp = exp
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        (
            201,
            json!({"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"name": name, "namespace": ns},
            "spec": {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": spec.get("boundObjectRef")},
            "status": {"token": token, "expirationTimestamp": stamp}}),
        )
    }

    fn create_secret(&self, path: &str, mut body: Value) -> (u16, Value) {
        let ns = path
            .trim_end_matches("/secrets")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        body["metadata"]["namespace"] = json!(ns);
        let name = body["metadata"]["name"].as_str().unwrap_or("").to_string();
        let key = object_path(&body);
        if body["type"] == "kubernetes.io/service-account-token"
            && body["metadata"]["annotations"]["kubernetes.io/service-account.name"]
                .as_str()
                .is_none()
        {
            return (
                422,
                status(
                    422,
                    "Invalid",
                    &format!(
                        "Secret \"{name}\" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value"
                    ),
                    json!({}),
                ),
            );
        }
        let mut objects = self.objects.lock().unwrap();
        if objects.contains_key(&key) {
            return (
                409,
                status(
                    409,
                    "AlreadyExists",
                    &format!("secrets \"{name}\" already exists"),
                    json!({"name": name, "kind": "secrets"}),
                ),
            );
        }
        body["metadata"]["creationTimestamp"] = json!("2026-11-23T12:00:00Z");
        objects.insert(key, body.clone());
        (201, body)
    }

    /// The token controller, run lazily: a token Secret is filled on its
    /// second read (so clients have to wait for it).
    fn fill_token(&self, mut obj: Value) -> Value {
        if obj["type"] != "kubernetes.io/service-account-token" || obj.get("data").is_some() {
            return obj;
        }
        if !self
            .token_controller
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return obj;
        }
        if obj["metadata"].get("kauthSeen").is_none() {
            obj["metadata"]["kauthSeen"] = json!(true);
            return obj;
        }
        obj["metadata"].as_object_mut().unwrap().remove("kauthSeen");
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let account = obj["metadata"]["annotations"]["kubernetes.io/service-account.name"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let sa = self.objects.lock().map(|o| {
            o.get(&format!(
                "/api/v1/namespaces/{ns}/serviceaccounts/{account}"
            ))
            .cloned()
        });
        let uid = sa
            .ok()
            .flatten()
            .map(|s| s["metadata"]["uid"].as_str().unwrap_or("").to_string())
            .unwrap_or_default();
        let token = legacy_token(&self.sa_key, &ns, &account, &name, &uid);
        use base64::Engine as _;
        obj["data"] = json!({"token": base64::engine::general_purpose::STANDARD.encode(token)});
        obj["metadata"]["annotations"]["kubernetes.io/service-account.uid"] = json!(uid);
        obj
    }

    fn decide(&self, credential: &Credential, seen: &mut Seen) -> (u16, Value) {
        let verdict = authenticate(credential, &self.server, OffsetDateTime::now_utc());
        let Some(mut user) = verdict.user().cloned() else {
            return (
                401,
                status(401, "Unauthorized", "Unauthorized", Value::Null),
            );
        };
        // Impersonation, as the server's filter applies it (the test
        // server allows it to everyone).
        if let Some(as_user) = seen.header("Impersonate-User").map(str::to_string) {
            let groups: Vec<String> = seen
                .headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("Impersonate-Group"))
                .map(|(_, v)| v.clone())
                .collect();
            user = kauth_auth::authz::explain::impersonated(&as_user, &groups);
        }
        seen.user = Some(user.clone());
        let (info, _) = request_info::parse(&seen.method, &seen.path);
        let attrs = Attributes::from_request(user.clone(), &info);
        let outcome = authz::authorize(&self.policy, &attrs);
        if !outcome.allowed() {
            let message = forbidden_status(&attrs);
            let details = if !attrs.is_resource_request {
                json!({})
            } else if attrs.name.is_empty() {
                json!({"kind": attrs.resource})
            } else {
                json!({"name": attrs.name, "kind": attrs.resource})
            };
            return (403, status(403, "Forbidden", &message, details));
        }
        for route in self.routes.lock().unwrap().iter() {
            if let Some(r) = route(seen) {
                return r;
            }
        }
        let path = seen.path.split('?').next().unwrap_or("").to_string();
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
        match (seen.method.as_str(), path.as_str()) {
            ("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews") => (
                201,
                json!({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                       "metadata": {"creationTimestamp": "2026-11-23T12:00:00Z"}, "status": {"userInfo": user}}),
            ),
            ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") => {
                let spec = &body["spec"];
                let a = review_attributes(spec, &user);
                let o = authz::authorize(&self.policy, &a);
                let mut st = json!({"allowed": o.allowed()});
                if o.allowed() && !o.reason().is_empty() {
                    st["reason"] = json!(o.reason());
                }
                (
                    201,
                    json!({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {}, "spec": spec, "status": st}),
                )
            }
            ("POST", CSR_PATH) => self.create_csr(body, &user),
            ("GET", CSR_PATH) => {
                let prefix = format!("{CSR_PATH}/");
                let items: Vec<Value> = self
                    .objects
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|(k, _)| k.starts_with(&prefix))
                    .map(|(_, v)| v.clone())
                    .collect();
                (
                    200,
                    json!({"kind": "CertificateSigningRequestList", "apiVersion": "certificates.k8s.io/v1", "metadata": {}, "items": items}),
                )
            }
            ("PUT", p) if p.starts_with(CSR_PATH) && p.ends_with("/approval") => {
                self.csr_approval(p.trim_end_matches("/approval"), body)
            }
            ("GET", p) if p.starts_with(CSR_PATH) => match self.stored(p) {
                Some(obj) => {
                    let obj = self.sign_csr(obj);
                    self.objects
                        .lock()
                        .unwrap()
                        .insert(p.to_string(), obj.clone());
                    (200, obj)
                }
                None => (
                    404,
                    status(
                        404,
                        "NotFound",
                        &format!(
                            "certificatesigningrequests.certificates.k8s.io \"{}\" not found",
                            p.rsplit('/').next().unwrap_or("")
                        ),
                        json!({}),
                    ),
                ),
            },
            ("POST", p) if p.ends_with("/token") && p.contains("/serviceaccounts/") => {
                self.token_request(p, &body)
            }
            ("POST", p) if p.ends_with("/secrets") => self.create_secret(p, body),
            ("GET", p) if p.ends_with("/secrets") => {
                let prefix = format!("{p}/");
                let objects = self.objects.lock().unwrap();
                let items: Vec<Value> = objects
                    .iter()
                    .filter(|(k, _)| k.starts_with(&prefix))
                    .map(|(_, v)| v.clone())
                    .collect();
                let selector = seen
                    .path
                    .split_once("fieldSelector=")
                    .map(|(_, f)| f.replace("%3D", "=").replace("%2F", "/"));
                let items: Vec<Value> = items
                    .into_iter()
                    .filter(|i| {
                        selector.as_deref().is_none_or(|f| {
                            f == format!("type={}", i["type"].as_str().unwrap_or(""))
                        })
                    })
                    .collect();
                (
                    200,
                    json!({"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items}),
                )
            }
            ("GET", p) if self.objects.lock().unwrap().contains_key(p) => {
                let stored = self.objects.lock().unwrap().get(p).cloned().unwrap();
                let obj = self.fill_token(stored);
                self.objects
                    .lock()
                    .unwrap()
                    .insert(p.to_string(), obj.clone());
                (200, obj)
            }
            ("GET", p) if p.contains("/serviceaccounts/") || p.contains("/secrets/") => {
                let (resource, name) = p
                    .rsplit_once('/')
                    .map(|(a, n)| (a.rsplit('/').next().unwrap_or(""), n))
                    .unwrap();
                not_found(resource, name)
            }
            ("GET", "/version") => (200, recorded("discovery-version.json")),
            ("GET", "/healthz") => (200, json!("ok")),
            ("GET", p) if p.ends_with("/pods") => (200, recorded("pods-list-sa1.json")),
            _ => (
                404,
                status(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                    json!({}),
                ),
            ),
        }
    }
}

/// The attributes a SelfSubjectAccessReview spec asks about, as the API
/// server reads them (`ResourceAttributesFrom` / `NonResourceAttributesFrom`).
/// `pods "x" is forbidden: User ... `, as the server words a 403 (before
/// the authorizer's reason, if any).
pub fn forbidden_status(a: &Attributes) -> String {
    if !a.is_resource_request {
        return format!("forbidden: {}", a.forbidden_message());
    }
    let resource = if a.api_group.is_empty() {
        a.resource.clone()
    } else {
        format!("{}.{}", a.resource, a.api_group)
    };
    if a.name.is_empty() {
        format!("{resource} is forbidden: {}", a.forbidden_message())
    } else {
        format!(
            "{resource} {:?} is forbidden: {}",
            a.name,
            a.forbidden_message()
        )
    }
}

/// The attributes a SubjectAccessReview spec asks about.
pub fn review_attributes(spec: &Value, user: &UserInfo) -> Attributes {
    if let Some(r) = spec.get("resourceAttributes") {
        let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
        Attributes {
            user: user.clone(),
            verb: s("verb"),
            is_resource_request: true,
            namespace: s("namespace"),
            api_group: s("group"),
            resource: s("resource"),
            subresource: s("subresource"),
            name: s("name"),
            path: String::new(),
        }
    } else {
        let r = &spec["nonResourceAttributes"];
        Attributes {
            user: user.clone(),
            verb: r["verb"].as_str().unwrap_or("").into(),
            path: r["path"].as_str().unwrap_or("").into(),
            ..Attributes::default()
        }
    }
}
