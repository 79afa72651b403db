//! The parsers take anything without panicking: request info, kubeconfig
//! YAML and JSON, JWTs, CSV token files, RBAC documents, PEM keys, DER
//! certificates, PKCS#12 bundles, durations, URL escapes and HTTP
//! responses. `KAUTH_SOAK_CASES` sets the cases per parser (2,000 in the
//! suite; `bench/soak.sh` runs 10^6).

use std::sync::OnceLock;

use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("KAUTH_SOAK_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

/// A valid client certificate and its CA, DER.
fn certificate() -> &'static (Vec<u8>, Vec<u8>) {
    static CERT: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    CERT.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/x509");
        let ca =
            kauth_pki::cert::certificates_from_pem(&std::fs::read(dir.join("ca.crt")).unwrap())
                .unwrap();
        let text = std::fs::read_to_string(dir.join("cases.jsonl")).unwrap();
        let name = serde_json::from_str::<serde_json::Value>(text.lines().next().unwrap()).unwrap()
            ["name"]
            .as_str()
            .unwrap()
            .to_string();
        let chain = std::fs::read(dir.join("cases").join(name).join("chain.pem")).unwrap();
        (
            kauth_pki::cert::certificates_from_pem(&chain)
                .unwrap()
                .remove(0),
            ca[0].clone(),
        )
    })
}

/// A PKCS#12 bundle made by openssl (password `pw`).
fn bundle() -> &'static [u8] {
    static P12: OnceLock<Vec<u8>> = OnceLock::new();
    P12.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| crate::support::openssl_ok(dir.path(), args);
        run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=u",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
        ]);
        run(&[
            "pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-passout", "pass:pw", "-iter",
            "64", "-maciter", "-out", "b.p12",
        ]);
        std::fs::read(dir.path().join("b.p12")).unwrap()
    })
}

/// `base` with bytes overwritten, cut short or extended.
fn mutated(base: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut der = base.to_vec();
    for &(at, byte) in edits {
        let i = at % der.len();
        der[i] = byte;
    }
    if let Some(len) = cut {
        der.truncate(len % (base.len() + 8));
        der.resize(len % (base.len() + 8), 0x30);
    }
    der
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn der_certificates_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6), cut in prop::option::weighted(0.2, any::<usize>())) {
        let (leaf, ca) = certificate();
        let der = mutated(leaf, &edits, cut);
        let _ = kauth_pki::inspect::facts(&der);
        let server = kauth_auth::authn::ServerConfig { client_ca: Some(vec![ca.clone()]), ..Default::default() };
        let _ = kauth_auth::authn::authenticate(&kauth_auth::authn::Credential::Certificate(vec![der.clone()]), &server, time::OffsetDateTime::now_utc());
        let _ = kauth_pki::cert::certificates_from_pem(kauth_pki::cert::to_pem("CERTIFICATE", &der).as_bytes());
    }

    #[test]
    fn pkcs12_bundles_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4), cut in prop::option::weighted(0.2, any::<usize>())) {
        let der = mutated(bundle(), &edits, cut);
        let _ = kauth_pki::p12::inspect(&der, "pw");
    }

    #[test]
    fn durations_never_panic(text in "[-+]?[0-9.]{0,24}(ns|us|µs|ms|s|m|h|d|x)?([0-9.]{0,6}(h|m|s))?") {
        let _ = kauth_formats::duration::parse(&text);
        let _ = kauth_formats::duration::parse_seconds_or(&text, &[("d", 86_400)]);
    }

    #[test]
    fn url_escapes_never_panic(text in "[%0-9a-fA-Fg+/?é]{0,24}") {
        let _ = kauth_formats::url::unescape(&text);
    }

    #[test]
    fn http_responses_never_panic(head in "HTTP/1\\.[01] [0-9]{1,4} [A-Za-z ]{0,8}", headers in prop::collection::vec("(Content-Length|Transfer-Encoding|Content-Type|X): ?[a-z0-9 ,-]{0,20}", 0..4), body in "[0-9a-f\\r\\n]{0,40}") {
        let response = format!("{head}\r\n{}\r\n\r\n{body}", headers.join("\r\n"));
        let stream = Duplex(std::io::Cursor::new(response.into_bytes()));
        let _ = kauth_client::http::exchange(stream, "GET", "h", "/", &[], None);
    }

    #[test]
    fn request_info_parses_any_method_and_url(method in "[A-Z]{0,8}", url in "\\PC{0,80}") {
        let (info, _) = kauth_auth::request_info::parse(&method, &url);
        prop_assert!(info.verb.len() <= method.len().max(16));
    }

    #[test]
    fn request_info_parses_api_shaped_urls(parts in prop::collection::vec("[a-z0-9%.=&?,!()-]{0,8}", 0..8)) {
        let url = format!("/{}", parts.join("/"));
        let _ = kauth_auth::request_info::parse("GET", &url);
        let _ = kauth_auth::request_info::parse("DELETE", &format!("/api/v1/{url}?fieldSelector={}", parts.join(",")));
    }

    #[test]
    fn kubeconfig_decoding_never_panics(text in "\\PC{0,300}") {
        let _ = kauth_kubeconfig::model::decode(&text, "f");
    }

    #[test]
    fn kubeconfig_shaped_yaml_never_panics(lines in prop::collection::vec("( {0,4})(- )?[a-z-]{0,10}(: ?)?[a-z0-9\"'|{}\\[\\]:-]{0,10}", 0..12)) {
        let text = lines.join("\n");
        let _ = kauth_kubeconfig::model::decode(&text, "f");
        let _ = kauth_formats::yaml::parse_documents(&text);
    }

    #[test]
    fn jwt_and_token_review_never_panic(token in "[A-Za-z0-9_.-]{0,120}") {
        let _ = kauth_auth::authn::jwt::Jwt::parse(&token);
        let _ = kauth_auth::authn::service_account::review(&token, &Default::default(), time::OffsetDateTime::UNIX_EPOCH);
    }

    #[test]
    fn token_files_never_panic(text in "[a-z,\"\n ]{0,120}") {
        let _ = kauth_auth::authn::token_file::TokenFile::parse(&text, "t.csv");
    }

    #[test]
    fn rbac_documents_never_panic(text in "\\PC{0,200}") {
        let mut p = kauth_auth::authz::rbac::Policy::default();
        let _ = p.add_text(&text, "r.yaml");
    }

    #[test]
    fn label_selectors_never_panic(s in "[a-z=!(),<>. 0-9/-]{0,40}") {
        let _ = kauth_auth::request_info::validate_label_selector(&s);
        let _ = kauth_auth::request_info::field_selector_exact_match(&s, "metadata.name");
    }

    #[test]
    fn pem_keys_never_panic(body in "[A-Za-z0-9+/=\n]{0,200}") {
        let text = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
        let _ = kauth_pki::key::PrivateKey::from_pem(&text);
        let _ = kauth_pki::cert::read_csr(text.replace("PRIVATE KEY", "CERTIFICATE REQUEST").as_bytes());
    }
}

/// Reads a canned response; accepts any request.
struct Duplex(std::io::Cursor<Vec<u8>>);

impl std::io::Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
