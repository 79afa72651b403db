//! The JWT authenticators of a real kube-apiserver v1.36: every bearer-token
//! case of `tests/fixtures/apiserver/chain/jwt-authn-config` (four issuers of
//! an `AuthenticationConfiguration`: claim and prefix mappings, CEL
//! mappings, claim and user validation rules, `MatchAny` audiences, RSA,
//! ECDSA and PSS keys, refused algorithms, times at the edges) replayed
//! through `kauth auth whoami --offline --apiserver` with the issuers'
//! recorded JWKS and the case's own time. A 201 must give the server's
//! userInfo exactly, a 401 must be refused; where the server's refusal does
//! not come from a CEL evaluation error (whose wording is cel-go's), kauth
//! must give the server's own message.

use std::path::Path;

use serde_json::Value;

use crate::apiserver_chain::flags_file;
use crate::support::kauth;

const SCENARIO: &str = "jwt-authn-config";

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apiserver/chain")
        .join(SCENARIO)
}

/// `--jwt-keys ISSUER=FILE` for the four recorded issuers.
fn key_flags() -> Vec<String> {
    let issuer = fixture().join("config/files/issuer");
    ["a", "b", "c", "d"]
        .iter()
        .flat_map(|l| {
            [
                "--jwt-keys".to_string(),
                format!(
                    "https://127.0.0.1:17443/issuer-{l}={}",
                    issuer.join(format!("issuer-{l}/jwks.json")).display()
                ),
            ]
        })
        .collect()
}

fn at(unix: f64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos((unix * 1e9) as i128).unwrap();
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn whoami(
    state: &Path,
    flags: &Path,
    token: &str,
    when: f64,
    keys: &[String],
) -> crate::support::Run {
    let when = at(when);
    let mut args = vec![
        "auth",
        "whoami",
        "--offline",
        "--apiserver",
        flags.to_str().unwrap(),
        "--token",
        "-",
        "--at",
        &when,
        "-o",
        "json",
        "--kubeconfig",
        "/dev/null",
    ];
    args.extend(keys.iter().map(String::as_str));
    kauth(state, &state.join("none"), &args, Some(token))
}

#[test]
fn every_recorded_jwt_case_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let flags = flags_file(SCENARIO, tmp.path());
    let keys = key_flags();
    let text = std::fs::read_to_string(fixture().join("cases.jsonl")).unwrap();
    let (mut cases, mut messages) = (0, 0);
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let Some(token) = case["credential"]["token"].as_str() else {
            continue;
        };
        let id = case["id"].as_str().unwrap();
        let run = whoami(
            tmp.path(),
            &flags,
            token,
            case["request_time_unix"].as_f64().unwrap(),
            &keys,
        );
        match case["status"].as_i64().unwrap() {
            201 => {
                assert_eq!(run.code, 0, "{id}: {}", run.stderr);
                let got: Value = serde_json::from_str(&run.stdout).unwrap();
                assert_eq!(got["status"]["userInfo"], case["userInfo"], "{id}");
            }
            401 => {
                assert_ne!(run.code, 0, "{id}: {}", run.stdout);
                assert!(run.stderr.contains("Unauthorized"), "{id}: {}", run.stderr);
                let logged = case["server_log_authn_error"][0].as_str().unwrap_or("");
                let inner = logged
                    .trim_start_matches("[invalid bearer token, ")
                    .trim_end_matches(']');
                if !inner.is_empty()
                    && logged != "invalid bearer token"
                    && !inner.contains("resulted in error")
                {
                    // The server prints `now` with its monotonic clock.
                    let inner = inner.split(" m=+").next().unwrap();
                    let inner = match inner.split_once("current time ") {
                        Some((head, _)) => head,
                        None => inner,
                    };
                    assert!(
                        run.stderr.contains(inner),
                        "{id}: want {inner:?} in {}",
                        run.stderr
                    );
                    messages += 1;
                }
            }
            other => panic!("{id}: status {other}"),
        }
        cases += 1;
    }
    assert_eq!(cases, 40, "every token case was replayed");
    // 17 refusals: 14 with the server's message, 2 with cel-go's wording of
    // an evaluation error, 1 the bare "invalid bearer token" of a token no
    // authenticator claims (its issuer has a trailing slash).
    assert_eq!(messages, 14, "refusals compared by message");
}

/// Without the issuers' keys the mapping is still the server's, and the
/// answer says the signature was not checked.
#[test]
fn without_keys_the_signature_is_named_as_unchecked() {
    let tmp = tempfile::tempdir().unwrap();
    let flags = flags_file(SCENARIO, tmp.path());
    let text = std::fs::read_to_string(fixture().join("cases.jsonl")).unwrap();
    let case: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|c| c["id"] == "jwt-a-extras")
        .unwrap();
    let run = whoami(
        tmp.path(),
        &flags,
        case["credential"]["token"].as_str().unwrap(),
        case["request_time_unix"].as_f64().unwrap(),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(got["status"]["userInfo"], case["userInfo"]);
    assert!(
        run.stderr.contains("not checked: the signature"),
        "{}",
        run.stderr
    );
}

/// The legacy `--oidc-*` flags make the same authenticator, with the
/// server's defaults: every claim but `email` prefixed with the issuer URL
/// and `#`, and RS256 the only algorithm (`--oidc-signing-algs`).
#[test]
fn legacy_oidc_flags_map_as_the_server_maps_them() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture().join("cases.jsonl")).unwrap();
    let case = |id: &str| -> Value {
        text.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|c| c["id"] == id)
            .unwrap()
    };
    let jwks = fixture().join("config/files/issuer/issuer-a/jwks.json");
    let run = |id: &str, extra_flags: &str| {
        let c = case(id);
        let flags = format!(
            "--oidc-issuer-url=https://127.0.0.1:17443/issuer-a --oidc-client-id=aud-a --oidc-groups-claim=groups {extra_flags}"
        );
        let when = at(c["request_time_unix"].as_f64().unwrap());
        kauth(
            tmp.path(),
            &tmp.path().join("none"),
            &[
                "auth",
                "whoami",
                "--offline",
                "--apiserver-flags",
                &flags,
                "--jwt-keys",
                jwks.to_str().unwrap(),
                "--token",
                "-",
                "--at",
                &when,
                "-o",
                "json",
                "--kubeconfig",
                "/dev/null",
            ],
            c["credential"]["token"].as_str(),
        )
    };
    let ok = run("jwt-a-extras", "");
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let got: Value = serde_json::from_str(&ok.stdout).unwrap();
    assert_eq!(
        got["status"]["userInfo"]["username"],
        "https://127.0.0.1:17443/issuer-a#ivy26"
    );
    assert_eq!(
        got["status"]["userInfo"]["groups"],
        serde_json::json!(["dev", "system:authenticated"])
    );
    let prefixed = run(
        "jwt-a-extras",
        "--oidc-username-prefix=- --oidc-groups-prefix=g:",
    );
    let got: Value = serde_json::from_str(&prefixed.stdout).unwrap();
    assert_eq!(got["status"]["userInfo"]["username"], "ivy26");
    assert_eq!(got["status"]["userInfo"]["groups"][0], "g:dev");
    let rs384 = run("jwt-a-rs384", "");
    assert_ne!(rs384.code, 0);
    assert!(
        rs384.stderr.contains(
            r#"id token signed with unsupported algorithm, expected ["RS256"] got "RS384""#
        ),
        "{}",
        rs384.stderr
    );
    let allowed = run("jwt-a-rs384", "--oidc-signing-algs=RS256,RS384");
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    let required = run("jwt-a-extras", "--oidc-required-claim=tier=platinum");
    assert!(
        required
            .stderr
            .contains("required claim tier value does not match. Got = gold, want = platinum"),
        "{}",
        required.stderr
    );
}
