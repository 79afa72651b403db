//! ABAC: the `--authorization-policy-file` of `--authorization-mode=ABAC`,
//! read and applied as kube-apiserver reads and applies it.
//!
//! Upstream: `pkg/auth/authorizer/abac/abac.go` (`NewFromFile`, `matches`,
//! `subjectMatches`, `verbMatches`, `resourceMatches`,
//! `nonResourceMatches`, `Authorize`), the policy types and their
//! conversions in `pkg/apis/abac/v1beta1/{types,conversion}.go` and
//! `pkg/apis/abac/v0/{types,conversion}.go`, `IsReadOnly` in
//! `staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go`,
//! and how apimachinery's universal decoder reads one line
//! (`runtime/serializer/json/meta.go` finds `apiVersion` and `kind` with
//! Go's case-insensitive `encoding/json`; `runtime/serializer/recognizer`
//! sends a line that does not start with `{` to the YAML decoder).
//!
//! The file is read line by line, as `bufio.Scanner` splits it (`\n`, a
//! trailing `\r` dropped, at most 64 KiB a line). A line that is blank or
//! whose trimmed text starts with `#` is skipped. Every other line is one
//! policy:
//! - `apiVersion: abac.authorization.kubernetes.io/v1beta1`, `kind:
//!   Policy` with a `spec` (`user`, `group`, `readonly`, `apiGroup`,
//!   `resource`, `namespace`, `nonResourcePath`); a `*` user or group
//!   becomes the group `system:authenticated`;
//! - a line without `apiVersion` or without `kind` is an unversioned (v0)
//!   policy with the fields `user`, `group`, `readonly`, `resource`,
//!   `namespace` at the top, converted as upstream converts v0: no user and
//!   no group, or a `*` one, means every authenticated user; no namespace
//!   and no resource each mean all; every API group; and with neither
//!   namespace nor resource, every non-resource path too. So `{}` (or a
//!   YAML `---` or `null` line) lets every authenticated user do anything,
//!   as it does upstream.
//!
//! The tests follow `TestEmptyFile`, `TestOneLineFileNoNewLine`,
//! `TestTwoLineFile`, `TestAuthorizeV0`, `TestAuthorizeV1beta1`,
//! `TestSubjectMatches` and `TestPolicy` in upstream's `abac_test.go`.

use serde_json::{Map, Value};

use super::Decision;
use super::rbac::Attributes;
use crate::user::{ALL_AUTHENTICATED, UserInfo};

/// The reason upstream gives when no policy allows a request.
pub const NO_POLICY_MATCHED: &str = "No policy matched.";

/// The v1beta1 `apiVersion`.
pub const V1BETA1: &str = "abac.authorization.kubernetes.io/v1beta1";
/// The v0 `apiVersion` (the unversioned form's version).
pub const V0: &str = "abac.authorization.kubernetes.io/v0";

/// The longest line Go's `bufio.Scanner` (64 KiB buffer) hands over; a
/// longer one makes kube-apiserver refuse the whole file.
pub const MAX_LINE_BYTES: usize = 64 * 1024 - 1;

/// One policy after conversion to upstream's internal form (the fields
/// `matches` reads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySpec {
    pub user: String,
    pub group: String,
    pub readonly: bool,
    pub api_group: String,
    pub resource: String,
    pub namespace: String,
    pub non_resource_path: String,
}

/// How a line was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `apiVersion: abac.authorization.kubernetes.io/v1beta1`.
    V1beta1,
    /// `apiVersion: abac.authorization.kubernetes.io/v0` with `kind: Policy`.
    V0,
    /// No `apiVersion` or no `kind`: read as v0, and upstream warns that
    /// the file "contained unversioned rules".
    Unversioned,
}

/// One policy line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// 1-based line number in the file.
    pub line: usize,
    pub form: Form,
    /// The policy as upstream holds it after conversion.
    pub spec: PolicySpec,
}

/// A parsed policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Abac {
    rules: Vec<Rule>,
}

/// Why kube-apiserver refuses a policy file (it then does not start).
#[derive(Debug, thiserror::Error)]
pub enum AbacError {
    #[error(
        "policy line {line} is {len} bytes long: kube-apiserver reads at most {MAX_LINE_BYTES} bytes a line (bufio.Scanner: token too long) and refuses the file"
    )]
    LineTooLong { line: usize, len: usize },
    #[error("policy line {line} is not valid JSON")]
    Json {
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("policy line {line} is not valid YAML")]
    Yaml {
        line: usize,
        #[source]
        source: kauth_formats::yaml::SyntaxError,
    },
    #[error("policy line {line} is not an object (a JSON object or a one-line YAML mapping)")]
    NotObject { line: usize },
    #[error("policy line {line}: `{field}` must be {expected}, not {found}")]
    FieldType {
        line: usize,
        field: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error(
        "policy line {line}: apiVersion {api_version:?} kind {kind:?} is not an ABAC policy (kube-apiserver reads `{V1BETA1}` kind `Policy`, and lines without apiVersion or kind as v0)"
    )]
    UnknownType {
        line: usize,
        api_version: String,
        kind: String,
    },
}

impl AbacError {
    /// The 1-based line the error is about.
    pub fn line(&self) -> usize {
        match self {
            AbacError::LineTooLong { line, .. }
            | AbacError::Json { line, .. }
            | AbacError::Yaml { line, .. }
            | AbacError::NotObject { line }
            | AbacError::FieldType { line, .. }
            | AbacError::UnknownType { line, .. } => *line,
        }
    }
}

impl Abac {
    /// Reads a policy file's text as `NewFromFile` does.
    pub fn parse(text: &str) -> Result<Abac, AbacError> {
        let mut rules = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.len() > MAX_LINE_BYTES {
                return Err(AbacError::LineTooLong {
                    line: n,
                    len: line.len(),
                });
            }
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            rules.push(parse_line(line, n)?);
        }
        Ok(Abac { rules })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// How many lines are unversioned (upstream logs a warning when any are).
    pub fn unversioned_lines(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| r.form == Form::Unversioned)
            .count()
    }

    /// The first rule that allows the request, if any.
    pub fn matching_rule(&self, attrs: &Attributes) -> Option<&Rule> {
        self.rules.iter().find(|r| matches(&r.spec, attrs))
    }

    /// The rules that allow the action of `attrs` (its user aside): whom
    /// ABAC lets do it, for `who-can`. A rule naming no one matches nobody.
    pub fn rules_for_action(&self, attrs: &Attributes) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|r| !(r.spec.user.is_empty() && r.spec.group.is_empty()))
            .filter(|r| verb_matches(&r.spec, attrs))
            .filter(|r| resource_matches(&r.spec, attrs) || non_resource_matches(&r.spec, attrs))
            .collect()
    }

    /// Upstream's `PolicyList.Authorize`: allowed with an empty reason by
    /// the first matching policy, otherwise no opinion, "No policy matched.".
    pub fn authorize(&self, attrs: &Attributes) -> Decision {
        match self.matching_rule(attrs) {
            Some(_) => Decision::allow(),
            None => Decision::no_opinion(NO_POLICY_MATCHED),
        }
    }
}

/// Decodes one policy line as the universal decoder, then the v0
/// fallback of `NewFromFile`, decode it.
fn parse_line(line: &str, n: usize) -> Result<Rule, AbacError> {
    let value = if line.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(line).map_err(|source| AbacError::Json { line: n, source })?
    } else {
        match kauth_formats::yaml::parse(line)
            .map_err(|source| AbacError::Yaml { line: n, source })?
        {
            Some(node) => kauth_formats::yaml::to_json(&node),
            None => Value::Null,
        }
    };
    let empty = Map::new();
    let object = match &value {
        Value::Object(m) => m,
        // `null` decodes as an object with no fields.
        Value::Null => &empty,
        _ => return Err(AbacError::NotObject { line: n }),
    };
    let api_version = type_meta(object, "apiVersion", n)?;
    let kind = type_meta(object, "kind", n)?;
    let unknown = || AbacError::UnknownType {
        line: n,
        api_version: api_version.clone(),
        kind: kind.clone(),
    };
    if !api_version.is_empty() && !kind.is_empty() {
        return match (api_version.as_str(), kind.as_str()) {
            (V1BETA1, "Policy") => Ok(Rule {
                line: n,
                form: Form::V1beta1,
                spec: v1beta1(object, n)?,
            }),
            (V0, "Policy") => Ok(Rule {
                line: n,
                form: Form::V0,
                spec: v0(object, n)?,
            }),
            // Not registered: the v0 fallback then fails to decode it.
            _ => Err(unknown()),
        };
    }
    // Missing version or kind: decoded into a v0 Policy, whose type fills
    // in what is missing. Another version cannot be converted into v0.
    let version_ok = api_version.is_empty() || api_version == V0;
    let kind_ok = kind.is_empty() || kind == "Policy";
    if !(version_ok && kind_ok) {
        return Err(unknown());
    }
    Ok(Rule {
        line: n,
        form: Form::Unversioned,
        spec: v0(object, n)?,
    })
}

/// `apiVersion` or `kind` as `SimpleMetaFactory.Interpret` finds them:
/// Go's `encoding/json`, whose field names match case-insensitively (an
/// exact match preferred here; Go takes the last matching key).
fn type_meta(object: &Map<String, Value>, name: &str, n: usize) -> Result<String, AbacError> {
    let value = object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    });
    string_of(value, name, n)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string field: absent or `null` is empty, anything else but a string
/// is the error Go's decoder gives.
fn string_of(value: Option<&Value>, field: &str, n: usize) -> Result<String, AbacError> {
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(AbacError::FieldType {
            line: n,
            field: field.to_string(),
            expected: "a string",
            found: json_kind(other),
        }),
    }
}

fn bool_of(value: Option<&Value>, field: &str, n: usize) -> Result<bool, AbacError> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(AbacError::FieldType {
            line: n,
            field: field.to_string(),
            expected: "a bool",
            found: json_kind(other),
        }),
    }
}

/// A v1beta1 line, converted (`Convert_v1beta1_Policy_To_abac_Policy`).
/// Field names are case-sensitive, as apimachinery's decoder reads them.
fn v1beta1(object: &Map<String, Value>, n: usize) -> Result<PolicySpec, AbacError> {
    let empty = Map::new();
    let spec = match object.get("spec") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(AbacError::FieldType {
                line: n,
                field: "spec".into(),
                expected: "an object",
                found: json_kind(other),
            });
        }
    };
    let s = |k: &str| string_of(spec.get(k), &format!("spec.{k}"), n);
    let mut out = PolicySpec {
        user: s("user")?,
        group: s("group")?,
        readonly: bool_of(spec.get("readonly"), "spec.readonly", n)?,
        api_group: s("apiGroup")?,
        resource: s("resource")?,
        namespace: s("namespace")?,
        non_resource_path: s("nonResourcePath")?,
    };
    if out.user == "*" || out.group == "*" {
        out.group = ALL_AUTHENTICATED.to_string();
        out.user = String::new();
    }
    Ok(out)
}

/// A v0 line, converted as upstream's v0 conversion does. `apiGroup` and
/// `nonResourcePath` are not v0 fields and are ignored.
fn v0(object: &Map<String, Value>, n: usize) -> Result<PolicySpec, AbacError> {
    let s = |k: &str| string_of(object.get(k), k, n);
    let (user, group) = (s("user")?, s("group")?);
    let (namespace, resource) = (s("namespace")?, s("resource")?);
    let readonly = bool_of(object.get("readonly"), "readonly", n)?;
    let mut out = PolicySpec {
        user: user.clone(),
        group: group.clone(),
        readonly,
        api_group: "*".into(),
        resource: resource.clone(),
        namespace: namespace.clone(),
        non_resource_path: String::new(),
    };
    if user.is_empty() && group.is_empty() {
        out.group = ALL_AUTHENTICATED.into();
    }
    if user == "*" || group == "*" {
        out.group = ALL_AUTHENTICATED.into();
        out.user = String::new();
    }
    if namespace.is_empty() {
        out.namespace = "*".into();
    }
    if resource.is_empty() {
        out.resource = "*".into();
    }
    if namespace.is_empty() && resource.is_empty() {
        out.non_resource_path = "*".into();
    }
    Ok(out)
}

fn matches(p: &PolicySpec, a: &Attributes) -> bool {
    subject_matches(p, &a.user)
        && verb_matches(p, a)
        && (resource_matches(p, a) || non_resource_matches(p, a))
}

/// Upstream's `subjectMatches`: a named user must be the user, a named
/// group one of the user's groups, and at least one must be named.
fn subject_matches(p: &PolicySpec, user: &UserInfo) -> bool {
    let mut matched = false;
    if !p.user.is_empty() {
        if p.user == "*" {
            matched = true;
        } else {
            if p.user != user.username {
                return false;
            }
            matched = true;
        }
    }
    if !p.group.is_empty() {
        if p.group == "*" {
            matched = true;
        } else {
            if !user.in_group(&p.group) {
                return false;
            }
            matched = true;
        }
    }
    matched
}

/// `IsReadOnly`: exactly get, list and watch.
fn is_read_only(verb: &str) -> bool {
    matches!(verb, "get" | "list" | "watch")
}

fn verb_matches(p: &PolicySpec, a: &Attributes) -> bool {
    is_read_only(&a.verb) || !p.readonly
}

/// Subresources are not looked at: a `pods` policy covers `pods/log`.
fn resource_matches(p: &PolicySpec, a: &Attributes) -> bool {
    a.is_resource_request
        && (p.namespace == "*" || p.namespace == a.namespace)
        && (p.resource == "*" || p.resource == a.resource)
        && (p.api_group == "*" || p.api_group == a.api_group)
}

/// `*`, the exact path, or a prefix ending in `*` (`/logs/*` covers
/// `/logs/` and below, not `/logs`).
fn non_resource_matches(p: &PolicySpec, a: &Attributes) -> bool {
    if a.is_resource_request {
        return false;
    }
    let path = &p.non_resource_path;
    if path == "*" || *path == a.path {
        return true;
    }
    path.ends_with('*') && a.path.starts_with(path.trim_end_matches('*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo::new(name, groups.iter().copied())
    }

    fn authed(name: &str) -> UserInfo {
        user(name, &[ALL_AUTHENTICATED])
    }

    /// The attributes upstream's tables build: a resource request when a
    /// namespace or resource is given.
    fn attrs(
        u: &UserInfo,
        verb: &str,
        resource: &str,
        ns: &str,
        group: &str,
        path: &str,
    ) -> Attributes {
        Attributes {
            user: u.clone(),
            verb: verb.into(),
            is_resource_request: !ns.is_empty() || !resource.is_empty(),
            namespace: ns.into(),
            api_group: group.into(),
            resource: resource.into(),
            path: path.into(),
            ..Attributes::default()
        }
    }

    fn check(abac: &Abac, cases: &[(&UserInfo, &str, &str, &str, &str, &str, bool)]) {
        for (i, (u, verb, resource, ns, group, path, allow)) in cases.iter().enumerate() {
            let a = attrs(u, verb, resource, ns, group, path);
            let d = abac.authorize(&a);
            assert_eq!(d.allowed(), *allow, "case {i}: {a:?} -> {d:?}");
            if !allow {
                assert_eq!(d, Decision::no_opinion(NO_POLICY_MATCHED), "case {i}");
            } else {
                assert_eq!(d.reason(), "", "case {i}");
            }
        }
    }

    /// `TestEmptyFile`, `TestOneLineFileNoNewLine`, `TestTwoLineFile`.
    #[test]
    fn files_without_newlines_or_rules_load() {
        assert!(Abac::parse("").unwrap().rules().is_empty());
        let one = Abac::parse(
            r#"{"user":"scheduler",  "readonly": true, "resource": "pods", "namespace":"ns1"}"#,
        )
        .unwrap();
        assert_eq!(one.rules().len(), 1);
        let two = Abac::parse(
            "{\"user\":\"scheduler\",  \"readonly\": true, \"resource\": \"pods\"}\n{\"user\":\"scheduler\",  \"readonly\": true, \"resource\": \"services\"}\n",
        )
        .unwrap();
        assert_eq!(two.rules().len(), 2);
        assert_eq!(two.unversioned_lines(), 2);
        assert_eq!(two.rules()[1].line, 2);
    }

    /// `TestAuthorizeV0` in upstream's `abac_test.go`.
    #[test]
    fn authorize_v0_follows_upstream() {
        let abac = Abac::parse(
            r#"{                    "readonly": true, "resource": "events"   }
{"user":"scheduler", "readonly": true, "resource": "pods"     }
{"user":"scheduler",                   "resource": "bindings" }
{"user":"kubelet",   "readonly": true, "resource": "bindings" }
{"user":"kubelet",                     "resource": "events"   }
{"user":"alice",                                              "namespace": "projectCaribou"}
{"user":"bob",       "readonly": true,                        "namespace": "projectCaribou"}
"#,
        )
        .unwrap();
        let (sched, alice, chuck) = (authed("scheduler"), authed("alice"), authed("chuck"));
        check(
            &abac,
            &[
                (&sched, "list", "pods", "ns1", "", "", true),
                (&sched, "list", "pods", "", "", "", true),
                (&sched, "create", "pods", "ns1", "", "", false),
                (&sched, "create", "pods", "", "", "", false),
                (&sched, "get", "bindings", "ns1", "", "", true),
                (&sched, "get", "bindings", "", "", "", true),
                (&alice, "get", "pods", "projectCaribou", "", "", true),
                (&alice, "get", "widgets", "projectCaribou", "", "", true),
                (&alice, "get", "", "projectCaribou", "", "", true),
                (&alice, "update", "pods", "projectCaribou", "", "", true),
                (&alice, "update", "widgets", "projectCaribou", "", "", true),
                (&alice, "update", "", "projectCaribou", "", "", true),
                (&alice, "update", "foo", "projectCaribou", "bar", "", true),
                (&alice, "get", "pods", "ns1", "", "", false),
                (&alice, "get", "widgets", "ns1", "", "", false),
                (&alice, "get", "", "ns1", "", "", false),
                (&chuck, "get", "events", "ns1", "", "", true),
                (&chuck, "get", "events", "", "", "", true),
                (&chuck, "update", "events", "ns1", "", "", false),
                (&chuck, "get", "pods", "ns1", "", "", false),
                (&chuck, "get", "floop", "ns1", "", "", false),
                (&chuck, "get", "", "", "", "/", false),
            ],
        );
    }

    /// `TestAuthorizeV1beta1` in upstream's `abac_test.go` (with its
    /// leading blank line, comment and indentation).
    #[test]
    fn authorize_v1beta1_follows_upstream() {
        let line = |spec: &str| {
            format!(
                "\t\t {{\"apiVersion\":\"abac.authorization.kubernetes.io/v1beta1\",\"kind\":\"Policy\",\"spec\":{spec}}}\n"
            )
        };
        let mut text = String::from("\n\t\t # Comment line, after a blank line\n");
        for spec in [
            r#"{"user":"*", "readonly": true, "nonResourcePath": "/api"}"#,
            r#"{"user":"*", "nonResourcePath": "/custom"}"#,
            r#"{"user":"*", "nonResourcePath": "/root/*"}"#,
            r#"{"user":"noresource", "nonResourcePath": "*"}"#,
            r#"{"user":"*", "readonly": true, "resource": "events", "namespace": "*"}"#,
            r#"{"user":"scheduler", "readonly": true, "resource": "pods", "namespace": "*"}"#,
            r#"{"user":"scheduler", "resource": "bindings", "namespace": "*"}"#,
            r#"{"user":"kubelet", "readonly": true, "resource": "bindings", "namespace": "*"}"#,
            r#"{"user":"kubelet", "resource": "events", "namespace": "*"}"#,
            r#"{"user":"alice", "resource": "*", "namespace": "projectCaribou"}"#,
            r#"{"user":"bob", "readonly": true, "resource": "*", "namespace": "projectCaribou"}"#,
            r#"{"user":"debbie", "resource": "pods", "namespace": "projectCaribou"}"#,
            r#"{"user":"apigroupuser", "resource": "*", "namespace": "projectAnyGroup", "apiGroup": "*"}"#,
            r#"{"user":"apigroupuser", "resource": "*", "namespace": "projectEmptyGroup", "apiGroup": "" }"#,
            r#"{"user":"apigroupuser", "resource": "*", "namespace": "projectXGroup", "apiGroup": "x"}"#,
        ] {
            text.push_str(&line(spec));
        }
        let abac = Abac::parse(&text).unwrap();
        assert_eq!(abac.rules().len(), 15);
        assert_eq!(abac.rules()[0].line, 3);
        assert_eq!(abac.unversioned_lines(), 0);
        let sched = authed("scheduler");
        let alice = authed("alice");
        let chuck = authed("chuck");
        let debbie = authed("debbie");
        let nores = authed("noresource");
        let apig = authed("apigroupuser");
        check(
            &abac,
            &[
                (&sched, "list", "pods", "ns1", "", "", true),
                (&sched, "list", "pods", "", "", "", true),
                (&sched, "create", "pods", "ns1", "", "", false),
                (&sched, "create", "pods", "", "", "", false),
                (&sched, "get", "bindings", "ns1", "", "", true),
                (&sched, "get", "bindings", "", "", "", true),
                (&alice, "get", "pods", "projectCaribou", "", "", true),
                (&alice, "get", "widgets", "projectCaribou", "", "", true),
                (&alice, "get", "", "projectCaribou", "", "", true),
                (&alice, "update", "pods", "projectCaribou", "", "", true),
                (&alice, "update", "widgets", "projectCaribou", "", "", true),
                (&alice, "update", "", "projectCaribou", "", "", true),
                (&alice, "get", "pods", "ns1", "", "", false),
                (&alice, "get", "widgets", "ns1", "", "", false),
                (&alice, "get", "", "ns1", "", "", false),
                (&debbie, "update", "pods", "projectCaribou", "", "", true),
                (&chuck, "get", "events", "ns1", "", "", true),
                (&chuck, "get", "events", "", "", "", true),
                (&chuck, "update", "events", "ns1", "", "", false),
                (&chuck, "get", "pods", "ns1", "", "", false),
                (&chuck, "get", "floop", "ns1", "", "", false),
                (&chuck, "get", "", "", "", "/", false),
                (&chuck, "get", "", "", "", "/api", true),
                (&chuck, "create", "", "", "", "/api", false),
                (&chuck, "update", "", "", "", "/custom", true),
                (&chuck, "get", "", "", "", "/root", false),
                (&chuck, "get", "", "", "", "/root/", true),
                (&chuck, "get", "", "", "", "/root/test/1/2/3", true),
                (&nores, "get", "", "", "", "", true),
                (&nores, "get", "", "", "", "/", true),
                (&nores, "get", "", "", "", "/foo/bar/baz", true),
                (&nores, "get", "", "bar", "", "/", false),
                (&nores, "get", "foo", "bar", "", "/foo/bar/baz", false),
                (&apig, "get", "foo", "projectAnyGroup", "x", "", true),
                (&apig, "get", "foo", "projectEmptyGroup", "x", "", false),
                (&apig, "get", "foo", "projectXGroup", "x", "", true),
            ],
        );
    }

    /// `TestSubjectMatches` in upstream's `abac_test.go`: each policy is
    /// written as a file line (v0 top-level, v1beta1 under `spec`).
    #[test]
    fn subject_matches_follow_upstream() {
        let anon = user("system:anonymous", &["system:unauthenticated"]);
        let foo = authed("Foo");
        let foo_ab = user("Foo", &["a", "b", ALL_AUTHENTICATED]);
        let bar = authed("Bar");
        let low = authed("foo");
        let foobar = authed("FooBar");
        let foobar_b = user("FooBar", &["B", ALL_AUTHENTICATED]);
        let foo_abc = user("Foo", &["A", "B", "C", ALL_AUTHENTICATED]);
        let foo_bbb = user("Foo", &["A", "BBB", "C", ALL_AUTHENTICATED]);
        let bar_abc = user("Bar", &["A", "B", "C", ALL_AUTHENTICATED]);
        // (user, group, subject, v0 match, v1beta1 match)
        let cases: &[(&str, &str, &UserInfo, bool, bool)] = &[
            ("", "", &anon, false, false),
            ("*", "", &anon, false, false),
            ("", "*", &anon, false, false),
            ("", "", &foo, true, false),
            ("", "", &foo_ab, true, false),
            ("Foo", "", &anon, false, false),
            ("Foo", "", &bar, false, false),
            ("Foo", "", &low, false, false),
            ("Foo", "", &foobar, false, false),
            ("Foo", "", &foo, true, true),
            ("", "Foo", &anon, false, false),
            ("", "A", &foobar_b, false, false),
            ("", "b", &foo_abc, false, false),
            ("", "B", &foo_bbb, false, false),
            ("", "B", &foo_abc, true, true),
            ("Foo", "B", &bar_abc, false, false),
            ("Foo", "D", &foo_abc, false, false),
            ("Foo", "B", &foo_abc, true, true),
        ];
        for (u, g, subject, v0_match, v1_match) in cases {
            let v0 = Abac::parse(&format!(r#"{{"user":"{u}","group":"{g}"}}"#)).unwrap();
            let v1 = Abac::parse(&format!(
                r#"{{"apiVersion":"{V1BETA1}","kind":"Policy","spec":{{"user":"{u}","group":"{g}"}}}}"#
            ))
            .unwrap();
            assert_eq!(
                subject_matches(&v0.rules()[0].spec, subject),
                *v0_match,
                "v0 user {u:?} group {g:?} for {subject:?}"
            );
            assert_eq!(
                subject_matches(&v1.rules()[0].spec, subject),
                *v1_match,
                "v1beta1 user {u:?} group {g:?} for {subject:?}"
            );
        }
    }

    /// The conversions `TestPolicy` in upstream's `abac_test.go` checks:
    /// v0 wildcards, v1beta1 `*` subjects, and what each form leaves out.
    #[test]
    fn conversions_follow_upstream() {
        let spec = |line: &str| Abac::parse(line).unwrap().rules()[0].spec.clone();
        assert_eq!(
            spec("{}"),
            PolicySpec {
                group: ALL_AUTHENTICATED.into(),
                api_group: "*".into(),
                resource: "*".into(),
                namespace: "*".into(),
                non_resource_path: "*".into(),
                ..PolicySpec::default()
            }
        );
        // A namespace or a resource takes the non-resource paths away.
        let s = spec(r#"{"user":"judy","namespace":"v0ns","readonly":true}"#);
        assert_eq!(
            (s.resource.as_str(), s.non_resource_path.as_str()),
            ("*", "")
        );
        let s = spec(r#"{"user":"*","resource":"resourcequotas"}"#);
        assert_eq!(
            (s.user.as_str(), s.group.as_str(), s.namespace.as_str()),
            ("", ALL_AUTHENTICATED, "*")
        );
        // v0 has no apiGroup or nonResourcePath fields.
        let s = spec(r#"{"user":"x","resource":"pods","apiGroup":"apps","nonResourcePath":"/x"}"#);
        assert_eq!(
            (s.api_group.as_str(), s.non_resource_path.as_str()),
            ("*", "")
        );
        // v1beta1 keeps what it is given; a `*` group drops the user.
        let s = spec(&format!(
            r#"{{"apiVersion":"{V1BETA1}","kind":"Policy","spec":{{"user":"frank","group":"*","resource":"pods"}}}}"#
        ));
        assert_eq!(
            (
                s.user.as_str(),
                s.group.as_str(),
                s.namespace.as_str(),
                s.api_group.as_str()
            ),
            ("", ALL_AUTHENTICATED, "", "")
        );
        // v0 with its own apiVersion is not unversioned.
        let form = |line: &str| Abac::parse(line).unwrap().rules()[0].form;
        assert_eq!(
            form(&format!(
                r#"{{"apiVersion":"{V0}","kind":"Policy","user":"a"}}"#
            )),
            Form::V0
        );
        // A line without kind, or without apiVersion, is read as v0.
        assert_eq!(
            form(&format!(r#"{{"apiVersion":"{V0}","user":"a"}}"#)),
            Form::Unversioned
        );
        assert_eq!(form(r#"{"kind":"Policy","user":"a"}"#), Form::Unversioned);
    }

    /// Readonly is exactly get/list/watch; subresources are ignored; the
    /// `/prefix/*` rule; `namespace: "*"` covers cluster-scoped requests
    /// (the recorded server's behaviour, tests/cli/abac_node_replay.rs).
    #[test]
    fn matching_details() {
        let abac = Abac::parse(&format!(
            "{{\"apiVersion\":\"{V1BETA1}\",\"kind\":\"Policy\",\"spec\":{{\"user\":\"bob\",\"namespace\":\"*\",\"resource\":\"pods\",\"readonly\":true}}}}\n\
             {{\"apiVersion\":\"{V1BETA1}\",\"kind\":\"Policy\",\"spec\":{{\"user\":\"grace\",\"nonResourcePath\":\"/logs/*\"}}}}\n"
        ))
        .unwrap();
        let bob = authed("bob");
        for (verb, allow) in [
            ("get", true),
            ("list", true),
            ("watch", true),
            ("proxy", false),
            ("head", false),
            ("deletecollection", false),
            ("impersonate", false),
            ("GET", false),
        ] {
            let a = attrs(&bob, verb, "pods", "ns", "", "");
            assert_eq!(abac.authorize(&a).allowed(), allow, "{verb}");
        }
        let mut log = attrs(&bob, "get", "pods", "ns", "", "");
        log.subresource = "log".into();
        assert!(abac.authorize(&log).allowed());
        assert!(
            abac.authorize(&attrs(&bob, "get", "pods", "", "", ""))
                .allowed()
        );
        let grace = authed("grace");
        for (path, allow) in [
            ("/logs", false),
            ("/logs/", true),
            ("/logs/a/b", true),
            ("/logsx", false),
        ] {
            assert_eq!(
                abac.authorize(&attrs(&grace, "get", "", "", "", path))
                    .allowed(),
                allow,
                "{path}"
            );
        }
    }

    #[test]
    fn comments_blank_lines_and_crlf_are_skipped_and_counted() {
        let abac = Abac::parse("# c\r\n\r\n   \t\n  # indented\n{\"user\":\"a\"}\r\n").unwrap();
        assert_eq!(abac.rules().len(), 1);
        assert_eq!(abac.rules()[0].line, 5);
        // A one-line YAML mapping reaches the YAML decoder, as upstream's.
        let abac = Abac::parse("user: alice").unwrap();
        assert_eq!(abac.rules()[0].spec.user, "alice");
        // `---` is an empty v0 policy: everything for every authenticated user.
        let abac = Abac::parse("---").unwrap();
        assert!(
            abac.authorize(&attrs(
                &authed("x"),
                "delete",
                "secrets",
                "kube-system",
                "",
                ""
            ))
            .allowed()
        );
    }

    #[test]
    fn broken_lines_are_errors_naming_the_line() {
        let ok = r#"{"user":"a"}"#;
        for (bad, want) in [
            (r#"{"user":"a""#, "policy line 2 is not valid JSON"),
            (
                r#"{"user":1}"#,
                "policy line 2: `user` must be a string, not a number",
            ),
            (
                r#"{"readonly":"true"}"#,
                "policy line 2: `readonly` must be a bool, not a string",
            ),
            (
                &format!(r#"{{"apiVersion":"{V1BETA1}","kind":"Policy","spec":[]}}"#),
                "policy line 2: `spec` must be an object, not an array",
            ),
            (
                &format!(
                    r#"{{"apiVersion":"{V1BETA1}","kind":"Policy","spec":{{"group":false}}}}"#
                ),
                "policy line 2: `spec.group` must be a string, not a bool",
            ),
            (
                r#"{"apiVersion":7}"#,
                "policy line 2: `apiVersion` must be a string, not a number",
            ),
            (
                &format!(r#"{{"apiVersion":"{V1BETA1}","kind":"Role"}}"#),
                "policy line 2: apiVersion \"abac.authorization.kubernetes.io/v1beta1\" kind \"Role\" is not an ABAC policy",
            ),
            (
                &format!(r#"{{"apiVersion":"{V1BETA1}","spec":{{}}}}"#),
                "is not an ABAC policy",
            ),
            (r#"{"kind":"Foo"}"#, "kind \"Foo\" is not an ABAC policy"),
            ("[1, 2]", "policy line 2 is not an object"),
            ("just words", "policy line 2 is not an object"),
            (
                r#"{"user":"a"} trailing"#,
                "policy line 2 is not valid JSON",
            ),
        ] {
            let err = Abac::parse(&format!("{ok}\n{bad}\n{ok}")).unwrap_err();
            assert_eq!(err.line(), 2, "{bad}");
            assert!(err.to_string().contains(want), "{bad}: {err}");
        }
        let long = format!(r#"{{"user":"{}"}}"#, "a".repeat(MAX_LINE_BYTES));
        let err = Abac::parse(&format!("{ok}\n{long}")).unwrap_err();
        assert!(
            matches!(err, AbacError::LineTooLong { line: 2, .. }),
            "{err}"
        );
        let fits = format!(r#"{{"user":"{}"}}"#, "a".repeat(MAX_LINE_BYTES - 11));
        assert_eq!(fits.len(), MAX_LINE_BYTES);
        assert!(Abac::parse(&fits).is_ok());
    }

    #[test]
    fn type_meta_is_found_case_insensitively_but_fields_are_not() {
        // `APIVERSION`/`KIND` are found, `Spec` is not a v1beta1 field.
        let abac = Abac::parse(&format!(
            r#"{{"APIVERSION":"{V1BETA1}","Kind":"Policy","Spec":{{"user":"a","nonResourcePath":"*"}}}}"#
        ))
        .unwrap();
        assert_eq!(abac.rules()[0].form, Form::V1beta1);
        assert_eq!(abac.rules()[0].spec, PolicySpec::default());
        assert!(
            !abac
                .authorize(&attrs(&authed("a"), "get", "", "", "", "/x"))
                .allowed()
        );
    }
}
