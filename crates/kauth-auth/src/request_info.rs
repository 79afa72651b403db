//! How kube-apiserver reads an HTTP request as an authorization request:
//! resource or non-resource, verb, API group and version, namespace,
//! resource, subresource and name.
//!
//! Upstream: `NewRequestInfo` in
//! `staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go`
//! (with the `AuthorizeWithSelectors` behaviour of 1.32+), its field
//! selector parsing in `apimachinery/pkg/fields/selector.go`, label
//! selector syntax in `apimachinery/pkg/labels/selector.go`, and
//! `IsValidPathSegmentName` in `apimachinery/pkg/api/validation/path`.
//! The tests follow `TestGetAPIRequestInfo`, `TestGetNonAPIRequestInfo` and
//! `TestFieldSelectorParsing` in `requestinfo_test.go`.

use serde::Serialize;

/// The parsed request, with kube-apiserver's field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestInfo {
    pub is_resource_request: bool,
    pub path: String,
    pub verb: String,
    pub api_prefix: String,
    pub api_group: String,
    pub api_version: String,
    pub namespace: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub parts: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub field_selector: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label_selector: String,
}

/// Why kube-apiserver cannot read a request as an authorization request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestInfoError {
    /// `/api/v1/proxy/...` or `/api/v1/watch/...` without anything after
    /// the verb: kube-apiserver answers it with this error.
    #[error("unable to determine kind and namespace from url, {0}")]
    Kind(String),
    /// Go's `http.ReadRequest` refuses the request line: the server answers
    /// 400 Bad Request before authentication.
    #[error("400 Bad Request: Go's net/http refuses the request target: {0}")]
    Target(String),
}

const API_PREFIXES: [&str; 2] = ["api", "apis"];
const GROUPLESS_API_PREFIXES: [&str; 1] = ["api"];
const SPECIAL_VERBS: [&str; 2] = ["proxy", "watch"];
const SPECIAL_VERBS_NO_SUBRESOURCES: [&str; 1] = ["proxy"];
const NAMESPACE_SUBRESOURCES: [&str; 2] = ["status", "finalize"];
const VERBS_WITH_SELECTORS: [&str; 3] = ["list", "watch", "deletecollection"];

/// Parses `method` and `url` (a path with an optional query, or a full
/// URL whose path and query are used) as kube-apiserver does. As upstream,
/// an error comes with the partial result.
pub fn parse(method: &str, url: &str) -> (RequestInfo, Option<RequestInfoError>) {
    let mut error = None;
    let info = parse_into(method, url, &mut error);
    (info, error)
}

fn parse_into(method: &str, url: &str, error: &mut Option<RequestInfoError>) -> RequestInfo {
    let (raw_path, raw_query) = split_url(url);
    let path = match read_path(url, raw_path) {
        Ok(path) => path,
        Err(e) => {
            *error = Some(RequestInfoError::Target(e));
            return RequestInfo {
                path: raw_path.to_string(),
                verb: method.to_ascii_lowercase(),
                ..RequestInfo::default()
            };
        }
    };
    let query = parse_query(raw_query.unwrap_or(""));
    let mut info = RequestInfo {
        path: path.clone(),
        verb: method.to_ascii_lowercase(),
        ..RequestInfo::default()
    };
    let trimmed = path.trim_matches('/');
    let mut parts: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    if parts.len() < 3 || !API_PREFIXES.contains(&parts[0]) {
        return info;
    }
    info.api_prefix = parts[0].to_string();
    parts.remove(0);
    if !GROUPLESS_API_PREFIXES.contains(&info.api_prefix.as_str()) {
        // One part (the prefix) is consumed: "do we have four parts?"
        if parts.len() < 3 {
            return info;
        }
        info.api_group = parts.remove(0).to_string();
    }
    info.is_resource_request = true;
    info.api_version = parts.remove(0).to_string();

    let mut verb_via_path = false;
    if SPECIAL_VERBS.contains(&parts[0]) {
        if parts.len() < 2 {
            *error = Some(RequestInfoError::Kind(url.to_string()));
            return info;
        }
        info.verb = parts.remove(0).to_string();
        verb_via_path = true;
    } else {
        info.verb = match method {
            "POST" => "create",
            "GET" | "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => "",
        }
        .to_string();
    }

    if parts[0] == "namespaces" && parts.len() > 1 {
        info.namespace = parts[1].to_string();
        // A further step that is not a namespace subresource is a resource
        // in its own right.
        if parts.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&parts[2]) {
            parts.drain(..2);
        }
    }
    info.parts = parts.iter().map(|p| p.to_string()).collect();
    let n = info.parts.len();
    if n >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.contains(&info.verb.as_str()) {
        info.subresource = info.parts[2].clone();
    }
    if n >= 2 {
        info.name = info.parts[1].clone();
    }
    if n >= 1 {
        info.resource = info.parts[0].clone();
    }

    // No name and a get: a list or a watch, maybe of one object named by a
    // `metadata.name` field selector.
    if info.name.is_empty() && info.verb == "get" {
        let options = list_options(&query);
        let watch = match &options {
            Ok(o) => o.watch,
            // A query that does not decode still reports its watch.
            Err(InvalidSelector) => query_bool(&query, "watch"),
        };
        info.verb = if watch { "watch" } else { "list" }.to_string();
        if let Ok(ListOptions {
            name: Some(name), ..
        }) = options
            && is_valid_path_segment_name(&name)
        {
            info.name = name;
        }
    }
    if info.name.is_empty() && info.verb == "delete" {
        info.verb = "deletecollection".to_string();
    }
    if !verb_via_path && VERBS_WITH_SELECTORS.contains(&info.verb.as_str()) {
        if let Some(v) = first(&query, "fieldSelector") {
            info.field_selector = v.to_string();
        }
        if let Some(v) = first(&query, "labelSelector") {
            info.label_selector = v.to_string();
        }
    }
    info
}

fn split_url(url: &str) -> (&str, Option<&str>) {
    // A full URL: keep what follows the authority.
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            match after.find(['/', '?']) {
                Some(j) => &after[j..],
                None => "",
            }
        }
        None => url,
    };
    // A request target has no fragment: `#` is part of the path
    // (`url.ParseRequestURI`).
    match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    }
}

/// `URL.Path` of a request target, or what `url.ParseRequestURI` refuses,
/// in Go's words: control characters, a target that is neither a path nor
/// an absolute URL, and a `%` not followed by two hex digits.
fn read_path(url: &str, raw_path: &str) -> Result<String, String> {
    if url.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(format!(
            "parse {url:?}: net/url: invalid control character in URL"
        ));
    }
    if !url.is_empty() && !url.starts_with('/') && !url.contains("://") && url != "*" {
        return Err(format!("parse {url:?}: invalid URI for request"));
    }
    kauth_formats::url::unescape(raw_path)
        .map_err(|bad| format!("parse {url:?}: invalid URL escape {bad:?}"))
}

/// `url.ParseQuery`, as `req.URL.Query()` uses it: pairs split at `&`, `+`
/// is a space; a pair holding `;` or a bad escape is dropped.
fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty() && !kv.contains(';'))
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let dec = |s: &str| kauth_formats::url::unescape(&s.replace('+', " ")).ok();
            Some((dec(k)?, dec(v)?))
        })
        .collect()
}

fn first<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// apimachinery's `Convert_Slice_string_To_bool`: any value but `0` and
/// `false` (any case) is true.
fn query_bool(query: &[(String, String)], key: &str) -> bool {
    match first(query, key) {
        None => false,
        Some(v) => !(v == "0" || v.eq_ignore_ascii_case("false")),
    }
}

/// A list option (selector or number) that kube-apiserver cannot decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid selector or list option")]
pub struct InvalidSelector;

struct ListOptions {
    watch: bool,
    /// The value of a `metadata.name=` (or `==`) field selector term.
    name: Option<String>,
}

/// The parts of decoding `metav1.ListOptions` that can fail or matter
/// here: the selectors and the integer parameters.
fn list_options(query: &[(String, String)]) -> Result<ListOptions, InvalidSelector> {
    let mut name = None;
    if let Some(selector) = first(query, "fieldSelector") {
        name = field_selector_exact_match(selector, "metadata.name")?;
    }
    if let Some(selector) = first(query, "labelSelector") {
        validate_label_selector(selector)?;
    }
    for key in ["timeoutSeconds", "limit"] {
        if let Some(v) = first(query, key)
            && !v.is_empty()
            && v.parse::<i64>().is_err()
        {
            return Err(InvalidSelector);
        }
    }
    Ok(ListOptions {
        watch: query_bool(query, "watch"),
        name,
    })
}

/// Parses a field selector (`fields.ParseSelector`) and returns the value
/// that `field` must equal, if a term requires one.
pub fn field_selector_exact_match(
    selector: &str,
    field: &str,
) -> Result<Option<String>, InvalidSelector> {
    let mut terms = split_terms(selector);
    terms.sort();
    let mut found = None;
    for term in terms.iter().filter(|t| !t.is_empty()) {
        let (lhs, op, rhs) = split_term(term).ok_or(InvalidSelector)?;
        let value = unescape_field_value(rhs)?;
        if found.is_none() && op != "!=" && lhs == field {
            found = Some(value);
        }
    }
    Ok(found)
}

/// The terms of a field selector as `fields.ParseSelector` reads them,
/// sorted: `(field, operator, value)` with the operator `=`, `==` or `!=`
/// and the value unescaped. Upstream's requirements call both `=` and
/// `==` `selection.Equals`.
pub fn field_selector_terms(
    selector: &str,
) -> Result<Vec<(String, &'static str, String)>, InvalidSelector> {
    let mut terms = split_terms(selector);
    terms.sort();
    let mut out = Vec::new();
    for term in terms.iter().filter(|t| !t.is_empty()) {
        let (lhs, op, rhs) = split_term(term).ok_or(InvalidSelector)?;
        out.push((lhs.to_string(), op, unescape_field_value(rhs)?));
    }
    Ok(out)
}

/// Splits at commas not escaped by a backslash.
fn split_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in s.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

/// The first `!=`, `==` or `=` splits a term.
fn split_term(term: &str) -> Option<(&str, &'static str, &str)> {
    for (i, _) in term.char_indices() {
        for op in ["!=", "==", "="] {
            if term[i..].starts_with(op) {
                return Some((&term[..i], op, &term[i + op.len()..]));
            }
        }
    }
    None
}

fn unescape_field_value(s: &str) -> Result<String, InvalidSelector> {
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            if !matches!(c, '\\' | ',' | '=') {
                return Err(InvalidSelector);
            }
            out.push(c);
            in_slash = false;
        } else {
            match c {
                '\\' => in_slash = true,
                ',' | '=' => return Err(InvalidSelector),
                c => out.push(c),
            }
        }
    }
    if in_slash {
        Err(InvalidSelector)
    } else {
        Ok(out)
    }
}

/// Checks label selector syntax (`labels.Parse`): comma-separated
/// requirements `key`, `!key`, `key=v`, `key==v`, `key!=v`,
/// `key in (a,b)`, `key notin (a,b)`, `key>1`, `key<1`, with keys that are
/// qualified names and values that are label values.
pub fn validate_label_selector(selector: &str) -> Result<(), InvalidSelector> {
    let tokens = label_tokens(selector)?;
    let mut i = 0;
    let at = |i: usize| tokens.get(i).map(String::as_str);
    while i < tokens.len() {
        if at(i) == Some("!") {
            i += 1;
            valid_label_key(at(i).ok_or(InvalidSelector)?)?;
            i += 1;
        } else {
            valid_label_key(at(i).ok_or(InvalidSelector)?)?;
            i += 1;
            match at(i) {
                None | Some(",") => {}
                Some("=" | "==" | "!=") => {
                    i += 1;
                    match at(i) {
                        Some(v) if !is_operator(v) => {
                            valid_label_value(v)?;
                            i += 1;
                        }
                        // `key=` means an empty value.
                        _ => {}
                    }
                }
                Some(">" | "<") => {
                    i += 1;
                    at(i)
                        .ok_or(InvalidSelector)?
                        .parse::<i64>()
                        .map_err(|_| InvalidSelector)?;
                    i += 1;
                }
                Some("in" | "notin") => {
                    i += 1;
                    if at(i) != Some("(") {
                        return Err(InvalidSelector);
                    }
                    i += 1;
                    loop {
                        match at(i) {
                            Some(")") => {
                                i += 1;
                                break;
                            }
                            Some(",") => i += 1,
                            Some(v) if !is_operator(v) => {
                                valid_label_value(v)?;
                                i += 1;
                            }
                            _ => return Err(InvalidSelector),
                        }
                    }
                }
                _ => return Err(InvalidSelector),
            }
        }
        match at(i) {
            None => {}
            Some(",") => {
                i += 1;
                if i == tokens.len() {
                    return Err(InvalidSelector);
                }
            }
            _ => return Err(InvalidSelector),
        }
    }
    Ok(())
}

fn is_operator(t: &str) -> bool {
    matches!(t, "=" | "==" | "!=" | "!" | "(" | ")" | "," | "<" | ">")
}

fn label_tokens(s: &str) -> Result<Vec<String>, InvalidSelector> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if matches!(c, '=' | '!' | '(' | ')' | ',' | '<' | '>') {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if two == "==" || two == "!=" {
                tokens.push(two);
                i += 2;
            } else {
                tokens.push(c.to_string());
                i += 1;
            }
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '=' | '!' | '(' | ')' | ',' | '<' | '>')
            {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        }
    }
    Ok(tokens)
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && !s.is_empty()
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

fn valid_label_key(key: &str) -> Result<(), InvalidSelector> {
    let ok = match key.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_label_name(name),
        None => is_label_name(key),
    };
    if ok { Ok(()) } else { Err(InvalidSelector) }
}

fn valid_label_value(v: &str) -> Result<(), InvalidSelector> {
    if v.is_empty() || is_label_name(v) {
        Ok(())
    } else {
        Err(InvalidSelector)
    }
}

/// A name usable as one path segment: not `.` or `..`, no `/` or `%`.
pub fn is_valid_path_segment_name(name: &str) -> bool {
    !(name == "." || name == ".." || name.contains('/') || name.contains('%'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(method: &str, url: &str) -> RequestInfo {
        let (info, error) = parse(method, url);
        assert_eq!(error, None, "{method} {url}");
        info
    }

    /// `TestGetAPIRequestInfo`: method, url, verb, prefix, group, version,
    /// namespace, resource, subresource, name, parts.
    #[test]
    fn resource_requests_follow_upstream_table() {
        #[rustfmt::skip]
        /// method, url, verb, prefix, group, version, namespace, resource,
        /// subresource, name, parts
        type Case<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a [&'a str]);
        let cases: &[Case] = &[
            (
                "GET",
                "/api/v1/namespaces",
                "list",
                "api",
                "",
                "v1",
                "",
                "namespaces",
                "",
                "",
                &["namespaces"],
            ),
            (
                "GET",
                "/api/v1/namespaces/other",
                "get",
                "api",
                "",
                "v1",
                "other",
                "namespaces",
                "",
                "other",
                &["namespaces", "other"],
            ),
            (
                "GET",
                "/api/v1/namespaces/other/pods",
                "list",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "GET",
                "/api/v1/namespaces/other/pods/foo",
                "get",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "foo",
                &["pods", "foo"],
            ),
            (
                "HEAD",
                "/api/v1/namespaces/other/pods/foo",
                "get",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "foo",
                &["pods", "foo"],
            ),
            (
                "GET",
                "/api/v1/pods",
                "list",
                "api",
                "",
                "v1",
                "",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "HEAD",
                "/api/v1/pods",
                "list",
                "api",
                "",
                "v1",
                "",
                "pods",
                "",
                "",
                &["pods"],
            ),
            // The stored upstream table has "" as this namespace; the code
            // (and a real v1.36 server, authn-anonymous-get-namespace.json)
            // give a namespace object its own name as namespace.
            (
                "PATCH",
                "/api/v1/namespaces/new-namespace",
                "patch",
                "api",
                "",
                "v1",
                "new-namespace",
                "namespaces",
                "",
                "new-namespace",
                &["namespaces", "new-namespace"],
            ),
            // special verbs
            (
                "GET",
                "/api/v1/proxy/namespaces/other/pods/foo",
                "proxy",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "foo",
                &["pods", "foo"],
            ),
            (
                "GET",
                "/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource",
                "proxy",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "foo",
                &["pods", "foo", "subpath", "not", "a", "subresource"],
            ),
            (
                "GET",
                "/api/v1/watch/pods",
                "watch",
                "api",
                "",
                "v1",
                "",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "GET",
                "/api/v1/pods?watch=true",
                "watch",
                "api",
                "",
                "v1",
                "",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "GET",
                "/api/v1/pods?watch=false",
                "list",
                "api",
                "",
                "v1",
                "",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "GET",
                "/api/v1/watch/namespaces/other/pods",
                "watch",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "GET",
                "/api/v1/namespaces/other/pods?watch=1",
                "watch",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "GET",
                "/api/v1/namespaces/other/pods?watch=0",
                "list",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            // subresources
            (
                "GET",
                "/api/v1/namespaces/other/pods/foo/status",
                "get",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "status",
                "foo",
                &["pods", "foo", "status"],
            ),
            (
                "GET",
                "/api/v1/namespaces/other/pods/foo/proxy/subpath",
                "get",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "proxy",
                "foo",
                &["pods", "foo", "proxy", "subpath"],
            ),
            (
                "PUT",
                "/api/v1/namespaces/other/finalize",
                "update",
                "api",
                "",
                "v1",
                "other",
                "namespaces",
                "finalize",
                "other",
                &["namespaces", "other", "finalize"],
            ),
            (
                "PUT",
                "/api/v1/namespaces/other/status",
                "update",
                "api",
                "",
                "v1",
                "other",
                "namespaces",
                "status",
                "other",
                &["namespaces", "other", "status"],
            ),
            // verbs
            (
                "PATCH",
                "/api/v1/namespaces/other/pods/foo",
                "patch",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "foo",
                &["pods", "foo"],
            ),
            (
                "DELETE",
                "/api/v1/namespaces/other/pods/foo",
                "delete",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "foo",
                &["pods", "foo"],
            ),
            (
                "POST",
                "/api/v1/namespaces/other/pods",
                "create",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            // deletecollection
            (
                "DELETE",
                "/api/v1/nodes",
                "deletecollection",
                "api",
                "",
                "v1",
                "",
                "nodes",
                "",
                "",
                &["nodes"],
            ),
            (
                "DELETE",
                "/api/v1/namespaces",
                "deletecollection",
                "api",
                "",
                "v1",
                "",
                "namespaces",
                "",
                "",
                &["namespaces"],
            ),
            (
                "DELETE",
                "/api/v1/namespaces/other/pods",
                "deletecollection",
                "api",
                "",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "DELETE",
                "/apis/extensions/v1/namespaces/other/pods",
                "deletecollection",
                "apis",
                "extensions",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            // groups and versions
            (
                "POST",
                "/apis/extensions/v1/namespaces/other/pods",
                "create",
                "apis",
                "extensions",
                "v1",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            (
                "POST",
                "/apis/extensions/v1beta3/namespaces/other/pods",
                "create",
                "apis",
                "extensions",
                "v1beta3",
                "other",
                "pods",
                "",
                "",
                &["pods"],
            ),
            // kauth's own: other methods, groups, full URLs, escapes
            (
                "OPTIONS",
                "/api/v1/pods/x",
                "",
                "api",
                "",
                "v1",
                "",
                "pods",
                "",
                "x",
                &["pods", "x"],
            ),
            (
                "POST",
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                "create",
                "apis",
                "authorization.k8s.io",
                "v1",
                "",
                "selfsubjectaccessreviews",
                "",
                "",
                &["selfsubjectaccessreviews"],
            ),
            (
                "GET",
                "https://10.0.0.1:6443/api/v1/namespaces/test/pods/p1/log?container=c",
                "get",
                "api",
                "",
                "v1",
                "test",
                "pods",
                "log",
                "p1",
                &["pods", "p1", "log"],
            ),
            (
                "GET",
                "/api/v1/namespaces/a%2Fb/pods",
                "get",
                "api",
                "",
                "v1",
                "a",
                "b",
                "",
                "pods",
                &["b", "pods"],
            ),
            (
                "PATCH",
                "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr1/approval",
                "patch",
                "apis",
                "certificates.k8s.io",
                "v1",
                "",
                "certificatesigningrequests",
                "approval",
                "csr1",
                &["certificatesigningrequests", "csr1", "approval"],
            ),
        ];
        for (method, url, verb, prefix, group, version, ns, resource, sub, name, parts) in cases {
            let i = info(method, url);
            let got = (
                i.is_resource_request,
                i.verb.as_str(),
                i.api_prefix.as_str(),
                i.api_group.as_str(),
                i.api_version.as_str(),
                i.namespace.as_str(),
                i.resource.as_str(),
                i.subresource.as_str(),
                i.name.as_str(),
            );
            assert_eq!(
                got,
                (
                    true, *verb, *prefix, *group, *version, *ns, *resource, *sub, *name
                ),
                "{method} {url}"
            );
            assert_eq!(i.parts, *parts, "{method} {url}");
        }
    }

    /// `TestGetNonAPIRequestInfo` and the error cases of
    /// `TestGetAPIRequestInfo`.
    #[test]
    fn non_resource_requests_follow_upstream_table() {
        for (url, resource) in [
            ("/api/version/resource", true),
            ("/apis/group/version/resource/name/subresource", true),
            ("/api/version/resource/name/subresource", true),
            ("/apis/batch/v1/job", true),
            ("/apis/batch/v1/job/foo", true),
            ("/apis/batch/v1/job/foo/scale", true),
            ("/not-api/version/resource", false),
            ("/apis/extensions/v1beta1", false),
            ("/apis/extensions/v1beta1/", false),
            ("/api/version", false),
            ("/api", false),
            ("/", false),
            ("", false),
            ("/api/version/", false),
            ("/apis/group/version/", false),
            ("/badprefix/version/resource", false),
            ("/apis/version/resource", false),
        ] {
            assert_eq!(info("GET", url).is_resource_request, resource, "{url}");
        }
        let healthz = info("GET", "/healthz");
        assert_eq!(
            (healthz.verb.as_str(), healthz.path.as_str()),
            ("get", "/healthz")
        );
    }

    #[test]
    fn special_verb_without_a_resource_is_an_error() {
        let (partial, err) = parse("GET", "/api/v1/watch");
        assert!(partial.is_resource_request);
        assert_eq!(
            err.unwrap().to_string(),
            "unable to determine kind and namespace from url, /api/v1/watch"
        );
    }

    /// `TestFieldSelectorParsing`, plus the selector forms of 1.32+.
    #[test]
    fn metadata_name_field_selector_names_the_object() {
        for (url, name, verb) in [
            ("/apis/group/version/resource", "", "list"),
            (
                "/apis/group/version/resource?fieldSelector=metadata.name=name1",
                "name1",
                "list",
            ),
            (
                "/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1",
                "name1",
                "watch",
            ),
            (
                "/apis/group/version/resource?fieldSelector=foo=bar",
                "",
                "list",
            ),
            (
                "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo",
                "",
                "list",
            ),
            (
                "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true",
                "",
                "watch",
            ),
            (
                "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false",
                "",
                "list",
            ),
            (
                "/api/v1/pods?fieldSelector=metadata.name%3D%3Dp1",
                "p1",
                "list",
            ),
            ("/api/v1/pods?fieldSelector=metadata.name!=p1", "", "list"),
            ("/api/v1/pods?fieldSelector=metadata.name=a%2Fb", "", "list"),
            (
                "/api/v1/pods?fieldSelector=metadata.name=p1&labelSelector=a+in+(",
                "",
                "list",
            ),
            (
                "/api/v1/pods?fieldSelector=metadata.name=p1&limit=x",
                "",
                "list",
            ),
            (
                "/api/v1/pods?fieldSelector=metadata.name=p1&labelSelector=app%3Dweb,tier+in+(a,b)",
                "p1",
                "list",
            ),
            ("/api/v1/pods?watch=", "", "watch"),
            ("/api/v1/pods?watch=FALSE", "", "list"),
        ] {
            let i = info("GET", url);
            assert_eq!((i.name.as_str(), i.verb.as_str()), (name, verb), "{url}");
        }
        let i = info(
            "DELETE",
            "/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb",
        );
        assert_eq!(
            (i.verb.as_str(), i.label_selector.as_str()),
            ("deletecollection", "app=web")
        );
        let i = info("GET", "/api/v1/watch/pods?labelSelector=app%3Dweb");
        assert_eq!(
            i.label_selector, "",
            "verb via path: no selector authorization"
        );
    }

    #[test]
    fn label_selector_syntax() {
        for ok in [
            "",
            "a",
            "!a",
            "a=b",
            "a==b",
            "a!=b",
            "a in (x,y)",
            "a notin (x)",
            "a>1",
            "x.io/a=b,c",
            "a=",
        ] {
            assert_eq!(validate_label_selector(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "a in (", "=b", "a>x", "a,", "-a=b", "a=b c", "Bad_/x=y", "a in x",
        ] {
            assert_eq!(
                validate_label_selector(bad),
                Err(InvalidSelector),
                "{bad:?}"
            );
        }
    }
}
