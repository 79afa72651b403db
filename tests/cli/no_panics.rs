//! The parsers take anything without panicking: request info, kubeconfig
//! YAML and JSON, JWTs, CSV token files, RBAC documents, PEM keys.

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
