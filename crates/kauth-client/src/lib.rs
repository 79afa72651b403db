//! HTTPS to API servers and kubelets, from a resolved kubeconfig context:
//! TLS settings, a credential (token, basic auth, client certificate, exec
//! plugin, OIDC id-token), impersonation and a timeout.

pub mod api;
pub mod env_proxy;
pub mod exec;
pub mod http;
pub mod log;
pub mod resolve;
pub mod tls;

use std::sync::Mutex;
use std::time::Duration;

use zeroize::Zeroizing;

use kauth_kubeconfig::ExecConfig;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    #[error("bad URL {0}")]
    Url(String),
    #[error("{0}")]
    Connect(String),
    #[error("timed out {0}")]
    Timeout(String),
    #[error("proxy: {0}")]
    Proxy(String),
    #[error("{0}")]
    Tls(String),
    #[error("{0}")]
    Io(String),
    /// A TLS failure after the handshake (a client certificate refused).
    #[error("TLS: {0}")]
    Rustls(rustls::Error),
    #[error("{0}")]
    Protocol(String),
    #[error("{0}")]
    Exec(String),
    /// A header or request line that would be unsafe on the wire.
    #[error("{0}")]
    Header(String),
}

/// The credential a request carries (besides a client certificate, which
/// is part of [`tls::TlsSettings`]).
#[derive(Clone, Default)]
pub enum Auth {
    #[default]
    None,
    Bearer(Zeroizing<String>),
    Basic {
        username: String,
        password: Zeroizing<String>,
    },
    /// An exec plugin, run on first use and reused while its credential lasts.
    Exec(Box<ExecConfig>, Box<exec::ClusterInfo>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::Bearer(_) => write!(f, "Bearer(<redacted>)"),
            Auth::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Auth::Exec(e, _) => write!(f, "Exec({})", e.command),
        }
    }
}

/// Who to act as (`Impersonate-*` headers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Impersonation {
    pub user: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: Vec<(String, Vec<String>)>,
}

impl Impersonation {
    /// client-go's headers; extra keys are percent-encoded
    /// (`NewImpersonatingRoundTripper`).
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut h = Vec::new();
        if self.user.is_empty() {
            return h;
        }
        h.push(("Impersonate-User".into(), self.user.clone()));
        if !self.uid.is_empty() {
            h.push(("Impersonate-Uid".into(), self.uid.clone()));
        }
        for g in &self.groups {
            h.push(("Impersonate-Group".into(), g.clone()));
        }
        for (k, values) in &self.extra {
            let key: String = k
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            for v in values {
                h.push((format!("Impersonate-Extra-{key}"), v.clone()));
            }
        }
        h
    }
}

/// Everything needed to talk to one server.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub server: String,
    pub tls: tls::TlsSettings,
    pub proxy: Option<String>,
    pub auth: Auth,
    pub impersonate: Impersonation,
    /// `None`: no timeout (`--request-timeout=0`).
    pub timeout: Option<Duration>,
    pub user_agent: String,
    /// kubectl's `-v`: 6 logs each request's method, URL, status and time,
    /// 7 the request headers, 8 the response headers and bodies, 9 a curl
    /// command; credentials are masked (see [`log`]).
    pub verbosity: u8,
}

pub struct Client {
    settings: Settings,
    endpoint: http::Endpoint,
    proxy: Option<http::Proxy>,
    trust: tls::Trust,
    cached: Mutex<Option<exec::ExecCredential>>,
}

impl Client {
    pub fn new(settings: Settings) -> Result<Client, ClientError> {
        let endpoint = http::Endpoint::parse(&settings.server)?;
        let proxy = match &settings.proxy {
            Some(p) if !p.is_empty() => Some(http::Proxy::parse(p)?),
            _ => None,
        };
        let trust = tls::Trust::new(&settings.tls)?;
        Ok(Client {
            settings,
            endpoint,
            proxy,
            trust,
            cached: Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The exec plugin's credential, run once per process while valid.
    fn exec_credential(
        &self,
        plugin: &ExecConfig,
        cluster: &exec::ClusterInfo,
    ) -> Result<exec::ExecCredential, ClientError> {
        let mut cache = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref()
            && c.expires
                .is_none_or(|e| e > time::OffsetDateTime::now_utc())
        {
            return Ok(c.clone());
        }
        let fresh = exec::run(plugin, cluster)?;
        *cache = Some(fresh.clone());
        Ok(fresh)
    }

    /// Sends a request; `path` includes any query.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<http::Response, ClientError> {
        let mut tls = self.settings.tls.clone();
        let mut all: Vec<(String, String)> = Vec::new();
        // Go's client sends the server URL's user as basic authentication,
        // and client-go's token and basic-auth layers then add nothing.
        let url_user = self.endpoint.user.as_ref();
        if let Some(user) = url_user {
            all.push(("Authorization".into(), user.basic()));
        }
        match &self.settings.auth {
            _ if url_user.is_some() && !matches!(self.settings.auth, Auth::Exec(..)) => {}
            Auth::None => {}
            Auth::Bearer(t) => all.push(("Authorization".into(), format!("Bearer {}", t.as_str()))),
            Auth::Basic { username, password } => {
                use base64::Engine as _;
                let raw = Zeroizing::new(format!("{username}:{}", password.as_str()));
                all.push((
                    "Authorization".into(),
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
                    ),
                ));
            }
            Auth::Exec(plugin, cluster) => {
                let cred = self.exec_credential(plugin, cluster)?;
                if let Some(t) = cred.token.as_ref().filter(|_| url_user.is_none()) {
                    all.push(("Authorization".into(), format!("Bearer {}", t.as_str())));
                }
                if let Some((cert, key)) = &cred.client_certificate {
                    let chain = kauth_pki::cert::certificates_from_pem(cert)
                        .map_err(|e| ClientError::Exec(format!("exec plugin certificate: {e}")))?;
                    let key = kauth_pki::key::PrivateKey::from_pem(&String::from_utf8_lossy(key))
                        .map_err(|e| ClientError::Exec(format!("exec plugin key: {e}")))?;
                    tls.client_cert = Some((chain, key.pkcs8_der().to_vec()));
                }
            }
        }
        all.extend(self.settings.impersonate.headers());
        if !self.settings.user_agent.is_empty() {
            all.push(("User-Agent".into(), self.settings.user_agent.clone()));
        }
        all.extend(headers.iter().cloned());
        let full_path = format!("{}{}", self.endpoint.prefix, path);
        http::check_request(method, &full_path, &all)?;
        let level = self.settings.verbosity;
        if level < 6 {
            return self.transmit(method, &full_path, &all, body, &tls);
        }
        let url = format!(
            "{}://{}{}",
            self.endpoint.scheme,
            self.endpoint.authority(),
            full_path
        );
        log::request(level, method, &url, &all, body);
        let start = std::time::Instant::now();
        let result = self.transmit(method, &full_path, &all, body, &tls);
        log::response(level, method, &url, &result, start.elapsed());
        result
    }

    /// Connects (through the proxy), shakes hands and exchanges one
    /// request, each failure told apart.
    fn transmit(
        &self,
        method: &str,
        full_path: &str,
        all: &[(String, String)],
        body: Option<&[u8]>,
        tls: &tls::TlsSettings,
    ) -> Result<http::Response, ClientError> {
        let host = self.endpoint.authority();
        let tcp = http::open(&self.endpoint, self.proxy.as_ref(), self.settings.timeout)?;
        if self.endpoint.scheme == "http" {
            return http::exchange(tcp, method, &host, full_path, all, body);
        }
        let name = tls
            .server_name
            .clone()
            .unwrap_or_else(|| self.endpoint.host.clone());
        let server_name = rustls::pki_types::ServerName::try_from(name.clone())
            .map_err(|_| ClientError::Tls(format!("{name:?} is not a valid server name")))?;
        let (config, seen) = tls::config(&self.trust, tls.client_cert.as_ref())?;
        let mut stream = http::tls_stream(tcp, config, server_name)?;
        // Complete the handshake first, so TLS failures are told apart.
        while stream.conn.is_handshaking() {
            if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
                let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                return Err(
                    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                        Some(tls_err) => ClientError::Tls(tls::explain(tls_err, &name, &seen, tls)),
                        None if matches!(
                            e.kind(),
                            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                        ) =>
                        {
                            ClientError::Timeout("during the TLS handshake".into())
                        }
                        None => ClientError::Tls(format!("TLS handshake with {host}: {e}")),
                    },
                );
            }
        }
        http::exchange(stream, method, &host, full_path, all, body).map_err(|e| match e {
            ClientError::Rustls(err) => {
                let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                ClientError::Tls(tls::explain(&err, &name, &seen, tls))
            }
            other => other,
        })
    }
}

/// kubectl's `--request-timeout`: `0` is none, a bare number is seconds,
/// else a duration (`30s`, `1m`).
pub fn parse_timeout(text: &str) -> Result<Option<Duration>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    use kauth_formats::duration::{self, DurationError};
    let ns = duration::parse_seconds_or(text, &[]).map_err(|e| match e {
        DurationError::TooLong(_) => format!("invalid timeout {text:?}: too long"),
        e => format!("{e} (examples: 30s, 1m, 0 for none)"),
    })?;
    match u64::try_from(ns) {
        Ok(0) => Ok(None),
        Ok(ns) => Ok(Some(Duration::from_nanos(ns))),
        Err(_) => Err(format!(
            "invalid timeout {text:?}: timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_like_kubectl() {
        assert_eq!(parse_timeout("0"), Ok(None));
        assert_eq!(parse_timeout("5"), Ok(Some(Duration::from_secs(5))));
        assert_eq!(parse_timeout("1m30s"), Ok(Some(Duration::from_secs(90))));
        assert_eq!(parse_timeout("500ms"), Ok(Some(Duration::from_millis(500))));
        assert!(parse_timeout("5x").is_err());
    }

    #[test]
    fn impersonation_headers_follow_client_go() {
        let i = Impersonation {
            user: "jane".into(),
            uid: "u1".into(),
            groups: vec!["dev".into(), "ops".into()],
            extra: vec![("example.com/scope".into(), vec!["a".into()])],
        };
        let h = i.headers();
        assert_eq!(h[0], ("Impersonate-User".into(), "jane".into()));
        assert_eq!(h[1], ("Impersonate-Uid".into(), "u1".into()));
        assert_eq!(
            h.iter().filter(|(k, _)| k == "Impersonate-Group").count(),
            2
        );
        assert_eq!(
            h[4],
            ("Impersonate-Extra-example.com%2Fscope".into(), "a".into())
        );
        assert!(Impersonation::default().headers().is_empty());
    }
}
