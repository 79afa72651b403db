//! A JWT's payload decodes as kube-apiserver's JWT authenticator decodes it
//! with Go's `encoding/json` (the oracle `tests/go/jwtclaims`): the
//! untrusted issuer, the fields go-oidc's verifier reads (with Go's
//! case-insensitive field names, `null`, numbers and numeric strings as
//! times, a string or a list as the audience, distributed claim names),
//! and a string and a string-or-list claim, for hand-picked and generated
//! payloads, invalid UTF-8 included.

use kauth_auth::authn::oidc;
use serde_json::{Value, json};

/// kauth's answer in the oracle's shape.
fn ours(bytes: &[u8], claim: &str, list: &str) -> Value {
    let mut a = serde_json::Map::new();
    let Some(claims) = oidc::payload_claims(bytes) else {
        a.insert("iss_error".into(), json!(true));
        a.insert("idtoken_error".into(), json!(true));
        return Value::Object(a);
    };
    match oidc::issuer_of(&claims) {
        Some(iss) => a.insert("iss".into(), json!(iss)),
        None => a.insert("iss_error".into(), json!(true)),
    };
    match oidc::id_token(&claims) {
        Ok(t) => {
            let mut tok = json!({"aud": t.audience, "exp": t.expiry.unwrap_or(0), "sub": t.subject, "claim_names_ok": true});
            if let Some(n) = t.not_before {
                tok["nbf"] = json!(n);
            }
            a.insert("idtoken".into(), tok);
        }
        Err(e) if e.starts_with("oidc: failed to unmarshal") => {
            a.insert("idtoken_error".into(), json!(true));
        }
        // Decoded, but the distributed claims name a missing source.
        Err(_) => {
            a.insert("idtoken".into(), json!("claim names"));
        }
    }
    match oidc::string_claim(&claims, claim) {
        Some(Ok(s)) => a.insert("claim".into(), json!(s)),
        Some(Err(_)) => a.insert("claim_error".into(), json!(true)),
        None => None,
    };
    match oidc::list_claim(&claims, list) {
        Some(Ok(l)) => a.insert("list".into(), json!(l)),
        Some(Err(_)) => a.insert("list_error".into(), json!(true)),
        None => None,
    };
    Value::Object(a)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn payloads_decode_as_go_decodes_them() {
    let mut go = crate::support::go::Oracle::start("jwtclaims");
    let mut payloads: Vec<Vec<u8>> = [
        r#"{"iss":"https://i","sub":"a","aud":"x","exp":1796234915}"#,
        r#"{"ISS":"https://i","Sub":"b","AUD":["x","y"],"EXP":"1796234915"}"#,
        r#"{"iss":"a","iss":"b"}"#,
        r#"{"iss":"a","Iss":"b"}"#,
        r#"{"ſub":"long s","iss":1}"#,
        r#"{"sub":null,"aud":null,"exp":null}"#,
        r#"{"nbf":null,"exp":1.9,"iat":"2.5"}"#,
        r#"{"exp":"1e3","nbf":"-0.5"}"#,
        r#"{"exp":"12s"}"#,
        r#"{"exp":"01"}"#,
        r#"{"exp":1e19}"#,
        r#"{"exp":-1e19}"#,
        r#"{"exp":12345678901234567890}"#,
        r#"{"exp":"1e400"}"#,
        r#"{"exp":true}"#,
        r#"{"aud":["a",1]}"#,
        r#"{"aud":[]}"#,
        r#"{"aud":{"a":1}}"#,
        r#"{"sub":1}"#,
        r#"{"groups":"one","sub":"x"}"#,
        r#"{"groups":["a",null]}"#,
        r#"{"groups":[1,2]}"#,
        r#"{"groups":null}"#,
        r#"{"_claim_names":{"groups":"src1"},"_claim_sources":{"src1":{"endpoint":"https://e"}}}"#,
        r#"{"_claim_names":{"groups":"src1"}}"#,
        r#"{"_claim_names":{"groups":""},"_claim_sources":{}}"#,
        r#"{"_claim_names":{"groups":1}}"#,
        r#"{"_claim_names":"x"}"#,
        r#"{"_claim_sources":{"s":{"Endpoint":1}}}"#,
        r#"{"_claim_sources":{"s":null}}"#,
        "[]",
        "\"iss\"",
        "",
        "{",
        r#"{"iss":"\u00e9\u0041"}"#,
        r#"{"iss":"\ud800x","sub":"\udc00\ud83d\ude00"}"#,
        r#"{"iss":"\\ud800\ud800\udc00\"\ud800"}"#,
        r#"{"iss":"\ud83d\u0041\udfff"}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    // Invalid UTF-8 in and out of strings.
    payloads.push(b"{\"iss\":\"a\xffb\",\"sub\":\"\xe2\x82X\"}".to_vec());
    payloads.push(b"{\"iss\":\"a\",\xff:1}".to_vec());
    payloads.push(b"{\"sub\":\"\xf0\x9f\x98\"}".to_vec());
    // Generated: objects of the fields the decoder reads, with values of
    // every JSON type and key spellings Go folds onto them.
    let keys = [
        "iss", "ISS", "Iss", "sub", "SUB", "aud", "Aud", "exp", "EXP", "iat", "nbf", "NBF",
        "nonce", "at_hash", "groups", "other",
    ];
    let values = [
        "\"x\"",
        "\"\"",
        "null",
        "true",
        "0",
        "-1",
        "1.5",
        "1796234915",
        "\"1796234915\"",
        "\"1.5e2\"",
        "\"abc\"",
        "[]",
        "[\"a\"]",
        "[\"a\",\"b\"]",
        "[1]",
        "{}",
        "{\"a\":\"b\"}",
        "1e300",
        "\"-0\"",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..3000 * crate::support::go::scale() {
        let fields: Vec<String> = (0..1 + next(5))
            .map(|_| {
                format!(
                    "\"{}\":{}",
                    keys[next(keys.len())],
                    values[next(values.len())]
                )
            })
            .collect();
        payloads.push(format!("{{{}}}", fields.join(",")).into_bytes());
    }
    let mut differ = Vec::new();
    for p in &payloads {
        let theirs = go.ask(&json!({"hex": hex(p), "claim": "sub", "list": "groups"}));
        let mut theirs = theirs;
        if theirs["idtoken"]["claim_names_ok"] == false {
            theirs["idtoken"] = json!("claim names");
        }
        let mine = ours(p, "sub", "groups");
        if mine != theirs {
            differ.push(format!(
                "{}\n  go:    {theirs}\n  kauth: {mine}",
                String::from_utf8_lossy(p)
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        payloads.len(),
        differ.join("\n")
    );
}
