//! How kube-apiserver reads a request target, against Go's own `net/http`
//! and `net/url` (tests/go/requrl: `http.ReadRequest`, then `URL.Path` and
//! `URL.Query()` as `requestinfo.go` reads them). Generated targets mix
//! API paths with the edge cases: doubled slashes, `%` escapes good and
//! bad, `+`, `;`, `#`, control characters and absolute URLs.

use kauth_auth::request_info::{self, RequestInfoError};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::go::Oracle;

/// kauth's answer in the oracle's terms.
fn kauth(method: &str, target: &str) -> Value {
    let (info, error) = request_info::parse(method, target);
    if let Some(RequestInfoError::Target(e)) = error {
        return json!({ "error": e });
    }
    json!({
        "path": info.path,
        "fieldSelector": info.field_selector,
        "labelSelector": info.label_selector,
    })
}

/// Go's answer, reduced to what kauth reports: the selectors only where
/// requestinfo.go keeps them (list, watch and deletecollection requests).
fn go(oracle: &mut Oracle, method: &str, target: &str) -> Value {
    let answer = oracle.ask(&json!({ "method": method, "target": target }));
    if let Some(e) = answer.get("error") {
        return json!({ "error": e });
    }
    let (info, _) = request_info::parse(method, target);
    let keeps = ["list", "watch", "deletecollection"].contains(&info.verb.as_str())
        && !target.contains("/watch/");
    let selector = |k: &str| if keeps { answer[k].clone() } else { json!("") };
    json!({
        "path": answer["path"],
        "fieldSelector": selector("fieldSelector"),
        "labelSelector": selector("labelSelector"),
    })
}

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "/",
        "/",
        "/",
        "api",
        "apis",
        "v1",
        "apps",
        "namespaces",
        "ns",
        "pods",
        "a%2Fb",
        "%41",
        "%",
        "%z",
        "%zz",
        "%4",
        "%e2%82%ac",
        "%ff",
        "#",
        "+",
        " x",
        "\t",
        "//",
        "watch",
        "proxy",
        "status",
        ".",
        "..",
    ])
}

fn query_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "fieldSelector=metadata.name%3Dweb",
        "fieldSelector=a=b",
        "labelSelector=app+in+(a,b)",
        "labelSelector=x%zz",
        "labelSelector=a;b",
        "watch=true",
        "watch=1",
        "&",
        "=",
        "%zz=1",
        "fieldSelector",
        "labelSelector=%41",
    ])
}

fn target() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "", "", "http://h", "https://h:6443", "//h"]),
        prop::collection::vec(piece(), 0..8),
        prop::option::of(prop::collection::vec(query_piece(), 0..4)),
    )
        .prop_map(|(prefix, parts, query)| {
            let mut t = prefix.to_string();
            if !parts.first().is_some_and(|p| p.starts_with('/')) {
                t.push('/');
            }
            t.push_str(&parts.concat());
            if let Some(q) = query {
                t.push('?');
                t.push_str(&q.join("&"));
            }
            t
        })
        // The request line is split at spaces before Go reads the target.
        .prop_filter("no spaces", |t| !t.contains(' '))
}

#[test]
fn request_targets_are_read_as_go_reads_them() {
    let oracle = std::cell::RefCell::new(Oracle::start("requrl"));
    // The cases that were wrong, kept as a table.
    for (method, t) in [
        ("GET", "/api/v1/p%zzods"),
        ("GET", "/api/v1/pods#x"),
        ("GET", "/api/v1/pods?labelSelector=a;b&fieldSelector=x=y"),
        ("GET", "/api/v1/pods?%zz=1&labelSelector=app"),
        ("GET", "api/v1/pods"),
        ("GET", "//api/v1/pods"),
        ("get", "/api/v1/pods?labelSelector=a"),
    ] {
        assert_eq!(
            kauth(method, t),
            go(&mut oracle.borrow_mut(), method, t),
            "{method} {t}"
        );
    }
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 2000 * crate::support::go::scale() as u32,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(
                prop::sample::select(vec!["GET", "DELETE", "get", "POST"]),
                target(),
            ),
            |(method, t)| {
                prop_assert_eq!(
                    kauth(method, &t),
                    go(&mut oracle.borrow_mut(), method, &t),
                    "{} {}",
                    method,
                    t
                );
                Ok(())
            },
        )
        .unwrap();
}
