//! TLS for API servers and kubelets: the CA from the kubeconfig (or the
//! system roots), `insecure-skip-tls-verify`, `tls-server-name`, client
//! certificates; and failures explained with the certificate the server
//! actually presented.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::ClientError;

/// TLS settings of one connection.
#[derive(Clone, Default)]
pub struct TlsSettings {
    /// CA certificates (DER); `None`: the system roots.
    pub ca: Option<Vec<Vec<u8>>>,
    /// Where the CA came from, for messages.
    pub ca_source: String,
    pub insecure: bool,
    /// Verify the server as this name (and send it as SNI).
    pub server_name: Option<String>,
    /// Client certificate chain (DER) and PKCS#8 key.
    pub client_cert: Option<(Vec<Vec<u8>>, Vec<u8>)>,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSettings")
            .field("ca", &self.ca.as_ref().map(Vec::len))
            .field("insecure", &self.insecure)
            .field("server_name", &self.server_name)
            .field("client_cert", &self.client_cert.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// The chain the server presented, kept for error messages.
#[derive(Debug, Default)]
pub struct Seen {
    pub chain: Vec<Vec<u8>>,
}

#[derive(Debug)]
struct Recording {
    inner: Option<Arc<dyn ServerCertVerifier>>,
    /// The CA certificates as given: Go trusts a server certificate found
    /// among them as a chain of its own (a self-signed serving
    /// certificate given as `certificate-authority`), which webpki refuses
    /// (`CaUsedAsEndEntity`).
    cas: Vec<Vec<u8>>,
    seen: Arc<Mutex<Seen>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect();
        }
        match &self.inner {
            Some(v) => {
                match v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
                    Err(e) if self.cas.iter().any(|c| c.as_slice() == end_entity.as_ref()) => {
                        let now = time::OffsetDateTime::from_unix_timestamp(now.as_secs() as i64)
                            .map_err(|_| e.clone())?;
                        trusted_as_its_own_root(end_entity, &server_name.to_str(), now)
                            .map(|_| ServerCertVerified::assertion())
                            .map_err(rustls::Error::General)
                    }
                    other => other,
                }
            }
            None => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What every connection to one server shares: the crypto provider and
/// the server verifier, whose root store (the system's, when no CA is
/// given) is read once per client rather than per request.
pub struct Trust {
    provider: Arc<rustls::crypto::CryptoProvider>,
    verifier: Option<Arc<dyn ServerCertVerifier>>,
    cas: Vec<Vec<u8>>,
}

impl Trust {
    pub fn new(settings: &TlsSettings) -> Result<Trust, ClientError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        if settings.insecure {
            return Ok(Trust {
                provider,
                verifier: None,
                cas: Vec::new(),
            });
        }
        let mut roots = rustls::RootCertStore::empty();
        match &settings.ca {
            Some(cas) => {
                for der in cas {
                    roots.add(CertificateDer::from(der.clone())).map_err(|e| {
                        ClientError::Tls(format!(
                            "{}: cannot use this CA certificate: {e}",
                            settings.ca_source
                        ))
                    })?;
                }
            }
            None => {
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(cert);
                }
            }
        }
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .map_err(|e| ClientError::Tls(format!("{}: {e}", settings.ca_source)))?;
        Ok(Trust {
            provider,
            verifier: Some(verifier),
            cas: settings.ca.clone().unwrap_or_default(),
        })
    }
}

/// The rustls configuration for one connection, with the client
/// certificate to present, and the record of what the server showed.
pub fn config(
    trust: &Trust,
    client_certificate: Option<&(Vec<Vec<u8>>, Vec<u8>)>,
) -> Result<(Arc<rustls::ClientConfig>, Arc<Mutex<Seen>>), ClientError> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let verifier = Arc::new(Recording {
        inner: trust.verifier.clone(),
        cas: trust.cas.clone(),
        seen: seen.clone(),
        provider: trust.provider.clone(),
    });
    let builder = rustls::ClientConfig::builder_with_provider(trust.provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match client_certificate {
        Some((chain, key)) => {
            builder.with_client_cert_resolver(Arc::new(client_cert(chain, key, &trust.provider)?))
        }
        None => builder.with_no_client_auth(),
    };
    Ok((Arc::new(config), seen))
}

/// The client certificate, checked against its key as Go's
/// `tls.X509KeyPair` does. rustls's own loader refuses X.509 v1
/// certificates, which Go clients (and kube-apiserver) accept, so kauth
/// presents the chain itself.
fn client_cert(
    chain: &[Vec<u8>],
    key: &[u8],
    provider: &rustls::crypto::CryptoProvider,
) -> Result<FixedClientCert, ClientError> {
    let leaf = chain.first().ok_or_else(|| {
        ClientError::Tls("client certificate: the file holds no certificate".into())
    })?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf)
        .map_err(|e| ClientError::Tls(format!("client certificate: cannot parse it: {e}")))?;
    let public = kauth_pki::key::PrivateKey::from_pkcs8_der(key)
        .and_then(|k| k.public_key_der())
        .map_err(|e| ClientError::Tls(format!("client key: {e}")))?;
    if cert.public_key().raw != public.as_slice() {
        return Err(ClientError::Tls("tls: private key does not match public key (client certificate and key are not a pair)".into()));
    }
    let signer = provider
        .key_provider
        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_vec())))
        .map_err(|e| ClientError::Tls(format!("client key: {e}")))?;
    let chain = chain
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    Ok(FixedClientCert(Arc::new(rustls::sign::CertifiedKey::new(
        chain, signer,
    ))))
}

/// Presents one certificate whatever the server asks for, as Go clients
/// with a single `Certificates` entry do.
#[derive(Debug)]
struct FixedClientCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for FixedClientCert {
    fn resolve(
        &self,
        _: &[&[u8]],
        _: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A rustls failure in Go's words (as kubectl would print it), with what
/// kauth saw of the server's certificate.
pub fn explain(err: &rustls::Error, host: &str, seen: &Seen, settings: &TlsSettings) -> String {
    use rustls::CertificateError as C;
    let presented = seen
        .chain
        .first()
        .and_then(|der| kauth_pki::inspect::facts(der).ok());
    match err {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            let mut s = format!(
                "x509: certificate signed by unknown authority: the server's certificate{} does not chain to {}",
                presented.as_ref().map(|f| format!(" ({}, issued by {})", f.subject, f.issuer)).unwrap_or_default(),
                if settings.ca.is_some() { settings.ca_source.clone() } else { "the system roots".into() }
            );
            if let (Some(cas), Some(leaf)) = (&settings.ca, seen.chain.first())
                && cas.iter().any(|c| c == leaf)
            {
                s.push_str(
                    "; the CA data is the server's own certificate (a leaf given as CA): Go clients such as kubectl accept that, rustls does not; give the CA that signed it",
                );
            }
            s
        }
        rustls::Error::InvalidCertificate(C::BadSignature) => {
            let issuer = presented.as_ref().map(|f| f.issuer.clone()).unwrap_or_default();
            let same_name = settings
                .ca
                .iter()
                .flatten()
                .filter_map(|c| kauth_pki::inspect::facts(c).ok())
                .any(|f| f.subject == issuer);
            if same_name {
                format!(
                    "x509: certificate signed by unknown authority: the server's certificate is issued by {issuer:?}, and {} holds a CA of that name but with another key: the cluster's CA was regenerated (a recreated cluster?); fetch its current CA",
                    settings.ca_source
                )
            } else {
                format!("x509: the server's certificate (issued by {issuer:?}) has a signature that does not verify")
            }
        }
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            let sans = presented.map(|f| f.subject_alt_names.join(", ")).unwrap_or_default();
            format!(
                "x509: certificate is valid for {sans}, not {host}: connect to one of those names, or set tls-server-name in the kubeconfig cluster"
            )
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => format!(
            "x509: certificate has expired or is not yet valid: the server's certificate expired on {}",
            presented.map(|f| f.not_after).unwrap_or_default()
        ),
        rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => format!(
            "x509: certificate has expired or is not yet valid: the server's certificate starts on {}",
            presented.map(|f| f.not_before).unwrap_or_default()
        ),
        rustls::Error::InvalidCertificate(C::BadEncoding) if presented.as_ref().is_some_and(|f| f.version == 1) => {
            "the server's certificate is X.509 version 1, which Go clients accept and rustls refuses".into()
        }
        rustls::Error::AlertReceived(alert) => format!(
            "the server ended the TLS connection ({alert:?}){}",
            if settings.client_cert.is_some() {
                ": it checks client certificates during the handshake and refused this one (kube-apiserver and kubelets do not: they answer 401), so this may be a proxy or etcd rather than an API server"
            } else {
                ""
            }
        ),
        other => format!("TLS: {other}"),
    }
}

/// Go's `Certificate.Verify` for a server certificate that is itself in
/// the CA bundle: its validity period, an extended key usage allowing
/// serverAuth, and `VerifyHostname` (SANs only, `*.` matching one label).
pub fn trusted_as_its_own_root(
    der: &[u8],
    host: &str,
    now: time::OffsetDateTime,
) -> Result<(), String> {
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    let (_, c) = x509_parser::parse_x509_certificate(der).map_err(|e| format!("x509: {e}"))?;
    let v = c.validity();
    if now < v.not_before.to_datetime() || now > v.not_after.to_datetime() {
        return Err("x509: certificate has expired or is not yet valid".into());
    }
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for ext in c.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::ExtendedKeyUsage(eku)
                if !(eku.any || eku.server_auth)
                    && (eku.client_auth
                        || eku.code_signing
                        || eku.email_protection
                        || eku.time_stamping
                        || eku.ocsp_signing
                        || !eku.other.is_empty()) =>
            {
                return Err("x509: certificate specifies an incompatible key usage".into());
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                for n in &san.general_names {
                    match n {
                        GeneralName::DNSName(d) => dns.push(d.to_string()),
                        GeneralName::IPAddress(ip) => ips.push(ip.to_vec()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        let want = match ip {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        let mapped = |b: &Vec<u8>| match (b.len(), &ip) {
            (16, std::net::IpAddr::V4(v4)) => {
                b[..12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] && b[12..] == v4.octets()
            }
            _ => false,
        };
        if ips.iter().any(|b| *b == want || mapped(b)) {
            return Ok(());
        }
        return Err(format!(
            "x509: certificate is valid for {}, not {host}",
            ips.iter()
                .map(|b| ip_text(b))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let matches = |pattern: &str| {
        let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(rest) => host
                .split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
            None => pattern == host,
        }
    };
    if dns.iter().any(|d| matches(d)) {
        return Ok(());
    }
    Err(format!(
        "x509: certificate is valid for {}, not {host}",
        dns.join(", ")
    ))
}

fn ip_text(b: &[u8]) -> String {
    match b.len() {
        4 => std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => format!("{b:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kauth_pki::cert::{self, CertSpec, EKU_SERVER_AUTH, Issuer, Usage};
    use kauth_pki::key::{KeyAlgorithm, PrivateKey};
    use kauth_pki::name::Subject;

    /// A self-signed serving certificate for localhost and 127.0.0.1.
    fn self_signed(now: time::OffsetDateTime) -> Vec<u8> {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let spki = key.public_key_der().unwrap();
        let subject = Subject::new("kube-apiserver", &[], None).to_der();
        // SEQUENCE { [7] 127.0.0.1, [2] "localhost" }
        let mut san = vec![0x30, 17, 0x87, 4, 127, 0, 0, 1, 0x82, 9];
        san.extend_from_slice(b"localhost");
        let mut usage = Usage::client(false);
        usage.ext_key_usage = Some(vec![EKU_SERVER_AUTH]);
        cert::build_certificate_with(
            &CertSpec {
                subject_der: subject.clone(),
                public_key_der: &spki,
                serial: cert::random_serial(),
                not_before: now - time::Duration::hours(1),
                not_after: now + time::Duration::days(1),
                usage,
            },
            &Issuer {
                name_der: &subject,
                key: &key,
                key_id: None,
            },
            &[(&[2, 5, 29, 17], false, san)],
        )
        .unwrap()
    }

    /// As kubectl (Go) does, a self-signed serving certificate given as
    /// the CA is trusted for its own names, and only for them; webpki
    /// alone refuses it (`CaUsedAsEndEntity`).
    #[test]
    fn a_self_signed_serving_certificate_given_as_the_ca_is_trusted() {
        let now = time::OffsetDateTime::now_utc();
        let der = self_signed(now);
        let trust = Trust::new(&TlsSettings {
            ca: Some(vec![der.clone()]),
            ca_source: "ca.crt".into(),
            ..TlsSettings::default()
        })
        .unwrap();
        let verifier = Recording {
            inner: trust.verifier.clone(),
            cas: trust.cas.clone(),
            seen: Arc::default(),
            provider: trust.provider.clone(),
        };
        let at =
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(now.unix_timestamp() as u64));
        let check = |host: &str| {
            let name = ServerName::try_from(host.to_string()).unwrap();
            verifier.verify_server_cert(&CertificateDer::from(der.clone()), &[], &name, &[], at)
        };
        assert!(check("localhost").is_ok());
        assert!(check("127.0.0.1").is_ok());
        let other = check("example.com").unwrap_err().to_string();
        assert!(
            other.contains("x509: certificate is valid for localhost, not example.com"),
            "{other}"
        );
        let later = now + time::Duration::days(2);
        assert_eq!(
            trusted_as_its_own_root(&der, "localhost", later).unwrap_err(),
            "x509: certificate has expired or is not yet valid"
        );
    }
}
