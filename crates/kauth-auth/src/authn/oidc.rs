//! JWT authenticators: the `jwt` entries of an `AuthenticationConfiguration`
//! and the legacy `--oidc-*` flags, reading a token as kube-apiserver does.
//!
//! Upstream: `staging/src/k8s.io/apiserver/plugin/pkg/authenticator/token/oidc/oidc.go`
//! (`AuthenticateToken`: issuer, verification, then username, groups, uid,
//! extra, required claims, claim validation rules, user validation rules, in
//! that order), go-oidc's `verify.go` as the server vendors it (payload
//! checks before the signature: issuer, audience, expiry, `nbf` with one
//! minute of leeway, then the algorithm and the key), and
//! `pkg/apis/apiserver/validation` for what the server refuses to load.
//!
//! Claims are read as Go's `encoding/json` reads them into go-oidc's
//! structs: a field matches a key case-insensitively, `null` leaves a string
//! empty, and a time may be a number or a numeric string.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::jwt::{self, PublicKey};
use super::service_account::Check;
use crate::cel::{self, CelError, Expression, Outcome as CelOutcome};
use crate::user::{CREDENTIAL_ID_KEY, UserInfo};

/// The algorithms a structured JWT authenticator accepts, as the server
/// lists them in its refusal.
pub const ALLOWED_ALGORITHMS: &[&str] = &[
    "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512",
];

/// How a claim becomes a user field: a claim (with a prefix) or a CEL
/// expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    pub claim: Option<String>,
    pub prefix: Option<String>,
    pub expression: Option<Expression>,
}

/// A `claimValidationRules` entry.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimRule {
    Required {
        claim: String,
        value: String,
    },
    Expression {
        expression: Expression,
        message: String,
    },
}

/// One JWT authenticator's configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JwtConfig {
    pub issuer: String,
    pub discovery_url: Option<String>,
    /// `issuer.certificateAuthority` (PEM) for fetching its keys.
    pub certificate_authority: Option<String>,
    pub audiences: Vec<String>,
    pub username: Mapping,
    pub groups: Mapping,
    pub uid: Mapping,
    pub extra: Vec<(String, Expression)>,
    pub claim_rules: Vec<ClaimRule>,
    pub user_rules: Vec<(Expression, String)>,
    pub signing_algorithms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("jwt[{index}].{field}: {reason}")]
    Field {
        index: usize,
        field: String,
        reason: String,
    },
    #[error("jwt[{index}]: {source}")]
    Cel { index: usize, source: CelError },
}

impl JwtConfig {
    /// The `index`th `jwt` entry of an `AuthenticationConfiguration`
    /// (as JSON), checked as the server checks it before it starts.
    pub fn from_entry(index: usize, j: &Value) -> Result<JwtConfig, ConfigError> {
        let field = |field: &str, reason: &str| ConfigError::Field {
            index,
            field: field.to_string(),
            reason: reason.to_string(),
        };
        let compile = |source: &str| {
            cel::compile(source).map_err(|source| ConfigError::Cel { index, source })
        };
        let string = |v: &Value, name: &str| -> Result<Option<String>, ConfigError> {
            match v {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                _ => Err(field(name, "must be a string")),
            }
        };
        let issuer = &j["issuer"];
        let url = string(&issuer["url"], "issuer.url")?.unwrap_or_default();
        if url.is_empty() {
            return Err(field("issuer.url", "Required value"));
        }
        if !url.starts_with("https://") {
            return Err(field("issuer.url", "URL scheme must be https"));
        }
        let audiences: Vec<String> = match &issuer["audiences"] {
            Value::Array(a) => a
                .iter()
                .map(|v| string(v, "issuer.audiences").map(Option::unwrap_or_default))
                .collect::<Result<_, _>>()?,
            Value::Null => Vec::new(),
            _ => return Err(field("issuer.audiences", "must be a list")),
        };
        if audiences.is_empty() {
            return Err(field("issuer.audiences", "Required value: at least one"));
        }
        if audiences.iter().any(String::is_empty) {
            return Err(field("issuer.audiences", "an audience is empty"));
        }
        let policy = string(&issuer["audienceMatchPolicy"], "issuer.audienceMatchPolicy")?;
        match (audiences.len(), policy.as_deref()) {
            (1, None | Some("MatchAny")) | (_, Some("MatchAny")) => {}
            (_, None) => {
                return Err(field(
                    "issuer.audienceMatchPolicy",
                    "Required value: MatchAny, with more than one audience",
                ));
            }
            (_, Some(_)) => {
                return Err(field(
                    "issuer.audienceMatchPolicy",
                    "Unsupported value: only MatchAny",
                ));
            }
        }
        let m = &j["claimMappings"];
        let mapping = |name: &str, with_prefix: bool| -> Result<Mapping, ConfigError> {
            let v = &m[name];
            let claim = string(&v["claim"], &format!("claimMappings.{name}.claim"))?
                .filter(|s| !s.is_empty());
            let expression = string(
                &v["expression"],
                &format!("claimMappings.{name}.expression"),
            )?
            .filter(|s| !s.is_empty());
            let prefix = string(&v["prefix"], &format!("claimMappings.{name}.prefix"))?;
            let at = |f: &str| format!("claimMappings.{name}.{f}");
            if claim.is_some() && expression.is_some() {
                return Err(field(
                    &at("claim"),
                    "claim and expression cannot both be set",
                ));
            }
            if expression.is_some() && prefix.is_some() {
                return Err(field(
                    &at("prefix"),
                    "may not be specified when expression is set",
                ));
            }
            if with_prefix && claim.is_some() && prefix.is_none() {
                return Err(field(
                    &at("prefix"),
                    "Required value: prefix is required when claim is set (it can be the empty string)",
                ));
            }
            Ok(Mapping {
                claim,
                prefix,
                expression: expression.as_deref().map(compile).transpose()?,
            })
        };
        let username = mapping("username", true)?;
        if username.claim.is_none() && username.expression.is_none() {
            return Err(field(
                "claimMappings.username",
                "Required value: claim or expression",
            ));
        }
        let groups = mapping("groups", true)?;
        let uid = mapping("uid", false)?;
        let mut extra = Vec::new();
        for (i, e) in m["extra"].as_array().into_iter().flatten().enumerate() {
            let key =
                string(&e["key"], &format!("claimMappings.extra[{i}].key"))?.unwrap_or_default();
            let at = format!("claimMappings.extra[{i}].key");
            if key.is_empty() {
                return Err(field(&at, "Required value"));
            }
            if !key.contains('/') {
                return Err(field(
                    &at,
                    "must be a domain-prefix path (such as \"acme.io/foo\")",
                ));
            }
            if key != key.to_lowercase() {
                return Err(field(&at, "key must be lowercase"));
            }
            if extra.iter().any(|(k, _)| *k == key) {
                return Err(field(&at, "Duplicate value"));
            }
            let source = string(
                &e["valueExpression"],
                &format!("claimMappings.extra[{i}].valueExpression"),
            )?
            .unwrap_or_default();
            if source.is_empty() {
                return Err(field(
                    &format!("claimMappings.extra[{i}].valueExpression"),
                    "Required value",
                ));
            }
            extra.push((key, compile(&source)?));
        }
        let mut claim_rules = Vec::new();
        for (i, r) in j["claimValidationRules"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = |f: &str| format!("claimValidationRules[{i}].{f}");
            let claim = string(&r["claim"], &at("claim"))?.filter(|s| !s.is_empty());
            let expression = string(&r["expression"], &at("expression"))?.filter(|s| !s.is_empty());
            match (claim, expression) {
                (Some(claim), None) => claim_rules.push(ClaimRule::Required {
                    claim,
                    value: string(&r["requiredValue"], &at("requiredValue"))?.unwrap_or_default(),
                }),
                (None, Some(source)) => claim_rules.push(ClaimRule::Expression {
                    expression: compile(&source)?,
                    message: string(&r["message"], &at("message"))?.unwrap_or_default(),
                }),
                (Some(_), Some(_)) => {
                    return Err(field(
                        &at("claim"),
                        "claim and expression cannot both be set",
                    ));
                }
                (None, None) => {
                    return Err(field(&at("claim"), "claim or expression is required"));
                }
            }
        }
        let mut user_rules = Vec::new();
        for (i, r) in j["userValidationRules"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = |f: &str| format!("userValidationRules[{i}].{f}");
            let source = string(&r["expression"], &at("expression"))?.unwrap_or_default();
            if source.is_empty() {
                return Err(field(&at("expression"), "Required value"));
            }
            user_rules.push((
                compile(&source)?,
                string(&r["message"], &at("message"))?.unwrap_or_default(),
            ));
        }
        Ok(JwtConfig {
            issuer: url,
            discovery_url: string(&issuer["discoveryURL"], "issuer.discoveryURL")?,
            certificate_authority: string(
                &issuer["certificateAuthority"],
                "issuer.certificateAuthority",
            )?,
            audiences,
            username,
            groups,
            uid,
            extra,
            claim_rules,
            user_rules,
            signing_algorithms: ALLOWED_ALGORITHMS.iter().map(|s| s.to_string()).collect(),
        })
    }
}

impl Mapping {
    fn describe(&self) -> Option<String> {
        match (&self.claim, &self.expression, &self.prefix) {
            (Some(c), _, Some(p)) if !p.is_empty() => Some(format!("claim {c} with prefix {p:?}")),
            (Some(c), _, _) => Some(format!("claim {c}")),
            (None, Some(e), _) => Some(format!("expression {}", e.source)),
            (None, None, _) => None,
        }
    }
}

impl JwtConfig {
    /// The settings `kauth auth chain` prints, one per line.
    pub fn describe(&self) -> Vec<String> {
        let mut out = vec![format!("issuer {}", self.issuer)];
        if let Some(d) = &self.discovery_url {
            out.push(format!("discovery {d}"));
        }
        out.push(format!(
            "audiences {}{}",
            self.audiences.join(", "),
            if self.audiences.len() > 1 {
                " (MatchAny)"
            } else {
                ""
            }
        ));
        for (what, m) in [
            ("username", &self.username),
            ("groups", &self.groups),
            ("uid", &self.uid),
        ] {
            if let Some(d) = m.describe() {
                out.push(format!("{what} from {d}"));
            }
        }
        for (key, e) in &self.extra {
            out.push(format!("extra {key} from expression {}", e.source));
        }
        for r in &self.claim_rules {
            out.push(match r {
                ClaimRule::Required { claim, value } => {
                    format!("requires claim {claim} = {value:?}")
                }
                ClaimRule::Expression { expression, .. } => {
                    format!("claim rule {}", expression.source)
                }
            });
        }
        for (e, _) in &self.user_rules {
            out.push(format!("user rule {}", e.source));
        }
        if self.signing_algorithms != ALLOWED_ALGORITHMS {
            out.push(format!("algorithms {}", self.signing_algorithms.join(", ")));
        }
        out
    }
}

/// A key of the issuer's JWKS, with its `kid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKey {
    pub id: Option<String>,
    pub key: PublicKey,
}

/// A JWT authenticator, with the issuer's keys when kauth has them.
#[derive(Debug, Clone, PartialEq)]
pub struct Authenticator {
    pub config: JwtConfig,
    /// `None`: signatures are not checked (and the answer says so).
    pub keys: Option<Vec<IssuerKey>>,
}

/// What one authenticator makes of a token.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Not from this issuer: the next authenticator is asked.
    NotMine,
    /// The user, before the server adds `system:authenticated`.
    User(UserInfo, Vec<Check>),
    /// The server's error, as it logs it (`oidc: ...`).
    Refused(String),
}

/// Go's `time.Time.String()` in UTC, as go-oidc's messages print times.
fn go_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut s = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if t.nanosecond() != 0 {
        let frac = format!("{:09}", t.nanosecond());
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// Go's `%q` of a string list: `["a" "b"]`.
fn go_quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(" "))
}

/// Whether Go's `encoding/json` would put key `key` in a struct field
/// named `field`: an exact or case-insensitive match (with Go's two
/// non-ASCII folds onto ASCII, `ſ` and the Kelvin sign).
fn go_field_matches(key: &str, field: &str) -> bool {
    let fold = |c: char| match c {
        'ſ' => 's',
        'K' => 'k',
        c => c.to_ascii_lowercase(),
    };
    key.chars().map(fold).eq(field.chars().map(fold))
}

/// The value Go decodes into struct field `field`: the last key matching it.
fn go_struct_field<'a>(claims: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    claims
        .iter()
        .rfind(|(k, _)| go_field_matches(k, field))
        .map(|(_, v)| v)
}

/// Go's decoding of struct field `field` from an object's entries, in
/// order and duplicates kept: every key matching it is decoded into it, a
/// type error in any fails the whole decode, and the last one stays
/// (`decode` gives `None` for a value that leaves the field as it was, as
/// `null` leaves a string). `Ok(None)` when nothing was set.
fn go_decode_field<T>(
    entries: &[(String, Value)],
    field: &str,
    decode: impl Fn(&Value) -> Result<Option<T>, String>,
) -> Result<Option<T>, String> {
    let mut out = None;
    for (k, v) in entries {
        if go_field_matches(k, field)
            && let Some(value) = decode(v)?
        {
            out = Some(value);
        }
    }
    Ok(out)
}

/// A string field: `null` leaves it as it was.
fn go_string_field(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        v => go_string(v).map(Some),
    }
}

/// Go's name for a JSON value's type in an unmarshal error.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `json.Unmarshal(raw, &string)`: `null` leaves it empty.
fn go_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(format!(
            "json: cannot unmarshal {} into Go value of type string",
            json_kind(other)
        )),
    }
}

/// go-oidc's `jsonTime`: a number (or numeric string), fractions cut.
/// `Ok(None)` for a field that is absent.
fn go_time_claim(v: Option<&Value>) -> Result<Option<i64>, String> {
    // `int64(f)` on amd64: out of range (or NaN) is the smallest int64.
    let truncate = |f: f64| {
        if f.is_finite() && (-(2f64.powi(63))..2f64.powi(63)).contains(&f) {
            f as i64
        } else {
            i64::MIN
        }
    };
    let out_of_range = |s: &str| format!("strconv.ParseFloat: parsing {s:?}: value out of range");
    let secs = match v {
        None => return Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => i,
            None => truncate(n.as_f64().unwrap_or(f64::NAN)),
        },
        Some(Value::String(s)) if !is_go_number(s) => {
            return Err(format!(
                "json: invalid number literal, trying to unmarshal {:?} into Number",
                format!("\"{s}\"")
            ));
        }
        Some(Value::String(s)) => match s.parse::<i64>() {
            Ok(i) => i,
            Err(_) => match s.parse::<f64>() {
                Ok(f) if f.is_finite() => truncate(f),
                _ => return Err(out_of_range(s)),
            },
        },
        Some(Value::Null) => {
            return Err("strconv.ParseFloat: parsing \"\": invalid syntax".into());
        }
        Some(other) => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type json.Number",
                json_kind(other)
            ));
        }
    };
    Ok(Some(secs))
}

/// Go's `time.Unix(secs, 0)`, held within the years this crate's clock
/// has: dates past year 9999 stay far in the future, before year -9999 far
/// in the past.
fn unix_time(secs: i64) -> OffsetDateTime {
    let clamped = secs.clamp(-377_705_116_800, 253_402_300_799);
    OffsetDateTime::from_unix_timestamp(clamped).expect("clamped to a valid range")
}

/// A JSON number literal, as Go's `isValidNumber` checks a string.
fn is_go_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    i == b.len()
}

/// JSON text as Go's `encoding/json` reads bytes: each byte that is not
/// part of valid UTF-8 becomes U+FFFD (inside a string; elsewhere it is a
/// syntax error either way).
fn go_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 8);
            let mut rest = bytes;
            while !rest.is_empty() {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(e) => {
                        let (good, bad) = rest.split_at(e.valid_up_to());
                        out.push_str(std::str::from_utf8(good).unwrap_or_default());
                        let n = e.error_len().unwrap_or(bad.len());
                        for _ in 0..n {
                            out.push('\u{FFFD}');
                        }
                        rest = &bad[n..];
                    }
                }
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

/// A JWT payload as the server decodes it: the top-level entries in
/// order with duplicates kept (as Go decodes an object into a struct), and
/// the claims as a map, the last of duplicate keys winning (as Go decodes
/// it into `map[string]json.RawMessage`).
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub entries: Vec<(String, Value)>,
    pub claims: Map<String, Value>,
}

struct Entries(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// JSON text with each `\uXXXX` escape of a surrogate that is not half of
/// a pair made `\ufffd`, as Go's decoder reads it (serde_json refuses it).
fn go_surrogates(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\u") {
        return std::borrow::Cow::Borrowed(text);
    }
    let hex = |b: &[u8], i: usize| -> Option<u32> {
        let h = b.get(i..i + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut start, mut in_string) = (0, 0, false);
    while i < b.len() {
        match b[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string && b.get(i + 1) == Some(&b'u') => {
                let Some(c) = hex(b, i + 2) else {
                    i += 2;
                    continue;
                };
                let paired = |lo: Option<u32>| lo.is_some_and(|l| (0xDC00..0xE000).contains(&l));
                if (0xD800..0xDC00).contains(&c)
                    && b.get(i + 6..i + 8) == Some(b"\\u")
                    && paired(hex(b, i + 8))
                {
                    i += 12;
                } else if (0xD800..0xE000).contains(&c) {
                    out.push_str(&text[start..i]);
                    out.push_str("\\ufffd");
                    i += 6;
                    start = i;
                } else {
                    i += 6;
                }
            }
            b'\\' if in_string => i += 2,
            _ => i += 1,
        }
    }
    out.push_str(&text[start.min(text.len())..]);
    std::borrow::Cow::Owned(out)
}

/// A JWT payload's claims, as the server decodes the bytes; `None` where
/// it is not a JSON object. (One difference is known: a number beyond
/// float64's range anywhere in the payload makes kauth refuse it, where
/// Go reads it as text and fails only a time field holding it.)
pub fn payload_claims(bytes: &[u8]) -> Option<Payload> {
    let text = go_text(bytes);
    let Entries(entries) = serde_json::from_str(&go_surrogates(&text)).ok()?;
    let claims = entries.iter().cloned().collect();
    Some(Payload { entries, claims })
}

/// The payload of a compact JWT, as `untrustedIssuer` and go-oidc's
/// `parseJWT` decode it; `None` where the server gives no opinion.
fn payload(token: &str) -> Option<Payload> {
    if token.trim_start().starts_with('{') {
        return None;
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    payload_claims(&jwt::b64(parts[1]).ok()?)
}

/// `untrustedIssuer` of decoded claims: `iss` as Go decodes it into a
/// string field (`None`: the decode fails).
pub fn issuer_of(payload: &Payload) -> Option<String> {
    go_decode_field(&payload.entries, "iss", go_string_field)
        .ok()
        .map(Option::unwrap_or_default)
}

/// `untrustedIssuer`: the `iss` a token claims, Google's bare host made a URL.
pub fn untrusted_issuer(token: &str) -> Option<String> {
    let iss = issuer_of(&payload(token)?)?;
    Some(if iss == "accounts.google.com" {
        "https://accounts.google.com".to_string()
    } else {
        iss
    })
}

/// The fields go-oidc's verifier decodes from the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdToken {
    pub subject: String,
    pub audience: Vec<String>,
    /// Unix seconds; `None` when absent (go-oidc's zero time).
    pub expiry: Option<i64>,
    pub not_before: Option<i64>,
}

/// go-oidc's `json.Unmarshal(payload, &idToken)` and its distributed
/// claims checks; the error is the server's message after `oidc: `.
pub fn id_token(payload: &Payload) -> Result<IdToken, String> {
    let unmarshal = |e: String| format!("oidc: failed to unmarshal claims: {e}");
    let entries = &payload.entries;
    for f in ["iss", "nonce", "at_hash"] {
        go_decode_field(entries, f, go_string_field).map_err(unmarshal)?;
    }
    let subject = go_decode_field(entries, "sub", go_string_field)
        .map_err(unmarshal)?
        .unwrap_or_default();
    let audience = go_decode_field(entries, "aud", |v| audience(v).map(Some))
        .map_err(unmarshal)?
        .unwrap_or_default();
    let expiry = go_decode_field(entries, "exp", |v| go_time_claim(Some(v))).map_err(unmarshal)?;
    go_decode_field(entries, "iat", |v| go_time_claim(Some(v))).map_err(unmarshal)?;
    // A pointer: `null` sets it back to nil.
    let not_before = go_decode_field(entries, "nbf", |v| match v {
        Value::Null => Ok(Some(None)),
        v => go_time_claim(Some(v)).map(Some),
    })
    .map_err(unmarshal)?
    .flatten();
    let claims = &payload.claims;
    // `_claim_names` (map[string]string) and `_claim_sources`
    // (map[string]struct{endpoint, access_token string}).
    let names = go_struct_field(claims, "_claim_names");
    let sources = go_struct_field(claims, "_claim_sources");
    let object = |v: Option<&Value>| -> Result<Option<Map<String, Value>>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m.clone())),
            Some(other) => Err(unmarshal(format!(
                "json: cannot unmarshal {} into Go struct field idToken._claim_names of type map[string]string",
                json_kind(other)
            ))),
        }
    };
    let names = object(names)?;
    let sources = object(sources)?;
    for v in names.iter().flat_map(|m| m.values()) {
        go_string(v).map_err(unmarshal)?;
    }
    for src in sources.iter().flat_map(|m| m.values()) {
        match src {
            Value::Null => {}
            Value::Object(fields) => {
                for f in ["endpoint", "access_token"] {
                    if let Some(v) = go_struct_field(fields, f) {
                        go_string(v).map_err(unmarshal)?;
                    }
                }
            }
            other => {
                return Err(unmarshal(format!(
                    "json: cannot unmarshal {} into Go struct field idToken._claim_sources of type oidc.claimSource",
                    json_kind(other)
                )));
            }
        }
    }
    for v in names.iter().flat_map(|m| m.values()) {
        let src = go_string(v).unwrap_or_default();
        if src.is_empty() {
            return Err("oidc: failed to obtain source from claim name".into());
        }
        if !sources.as_ref().is_some_and(|s| s.contains_key(&src)) {
            return Err("oidc: source does not exist".into());
        }
    }
    Ok(IdToken {
        subject,
        audience,
        expiry,
        not_before,
    })
}

/// A claim read as Go reads `json.RawMessage` into a string: `None` when
/// absent.
pub fn string_claim(payload: &Payload, name: &str) -> Option<Result<String, String>> {
    payload.claims.get(name).map(go_string)
}

/// A claim read as `stringOrArray`: `None` when absent.
pub fn list_claim(payload: &Payload, name: &str) -> Option<Result<Vec<String>, String>> {
    payload.claims.get(name).map(string_or_array)
}

/// `json.Unmarshal` into `[]string`: `null` elements are empty strings.
fn go_string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(a) => a.iter().map(|e| go_string(e).ok()).collect(),
        _ => None,
    }
}

/// go-oidc's `audience`: a string first (so `null` is one empty audience),
/// else a list of strings.
fn audience(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::String(_) | Value::Null => go_string(v).map(|s| vec![s]),
        other => go_string_list(other).ok_or_else(|| {
            format!(
                "json: cannot unmarshal {} into Go value of type []string",
                json_kind(other)
            )
        }),
    }
}

/// `stringOrArray`: a list of strings first (so `null` is no list), else
/// one string.
fn string_or_array(v: &Value) -> Result<Vec<String>, String> {
    if let Some(list) = go_string_list(v) {
        return Ok(list);
    }
    match v {
        Value::Null => Ok(Vec::new()),
        other => go_string(other).map(|s| vec![s]).map_err(|_| {
            format!(
                "json: cannot unmarshal {} into Go value of type string",
                json_kind(other)
            )
        }),
    }
}

/// `convertCELValueToStringList`.
fn string_list(v: &CelOutcome) -> Result<Vec<String>, String> {
    const WRONG: &str = "expression must return a string or a list of strings";
    match v {
        CelOutcome::String(s) if s.is_empty() => Ok(Vec::new()),
        CelOutcome::String(s) => Ok(vec![s.clone()]),
        CelOutcome::Null => Ok(Vec::new()),
        CelOutcome::List(items) => items
            .iter()
            .filter(|i| !matches!(i, CelOutcome::String(s) if s.is_empty()))
            .map(|i| match i {
                CelOutcome::String(s) => Ok(s.clone()),
                _ => Err(WRONG.to_string()),
            })
            .collect(),
        _ => Err(WRONG.to_string()),
    }
}

fn eval(e: &Expression, vars: &[(&str, &Value)]) -> Result<CelOutcome, String> {
    e.eval(vars)
        .map_err(|err| format!("expression '{}' resulted in error: {err}", e.source))
}

impl Authenticator {
    /// `AuthenticateToken` at `now`.
    pub fn authenticate(&self, token: &str, now: OffsetDateTime) -> Outcome {
        let c = &self.config;
        if untrusted_issuer(token).as_deref() != Some(c.issuer.as_str()) {
            return Outcome::NotMine;
        }
        let Some(payload) = payload(token) else {
            return Outcome::NotMine;
        };
        match self.check(token, &payload, now) {
            Ok((user, checks)) => Outcome::User(user, checks),
            Err(e) => Outcome::Refused(e),
        }
    }

    /// go-oidc's `Verify`, then the claim mappings and rules.
    fn check(
        &self,
        token: &str,
        payload: &Payload,
        now: OffsetDateTime,
    ) -> Result<(UserInfo, Vec<Check>), String> {
        let claims = &payload.claims;
        let c = &self.config;
        let verify = |e: String| format!("oidc: verify token: {e}");
        // The fields go-oidc decodes; a wrong type fails the whole token.
        let token_fields = id_token(payload).map_err(verify)?;
        let audience = token_fields.audience;
        let expiry = token_fields.expiry.map(unix_time);
        let not_before = token_fields.not_before.map(unix_time);
        if c.audiences.len() == 1 {
            if !audience.contains(&c.audiences[0]) {
                return Err(verify(format!(
                    "oidc: expected audience {:?} got {}",
                    c.audiences[0],
                    go_quoted_list(&audience)
                )));
            }
        } else if !audience.iter().any(|a| c.audiences.contains(a)) {
            let mut want = c.audiences.clone();
            want.sort();
            want.dedup();
            return Err(verify(format!(
                "oidc: expected audience in {} got {}",
                go_quoted_list(&want),
                go_quoted_list(&audience)
            )));
        }
        let zero = time::macros::datetime!(0001-01-01 00:00 UTC);
        let expiry = expiry.unwrap_or(zero);
        if expiry < now {
            return Err(verify(format!(
                "oidc: token is expired (Token Expiry: {})",
                go_time(expiry)
            )));
        }
        if let Some(nbf) = not_before
            && now + time::Duration::minutes(1) < nbf
        {
            return Err(verify(format!(
                "oidc: current time {} before the nbf (not before) time: {}",
                go_time(now),
                go_time(nbf)
            )));
        }
        let mut checks = Vec::new();
        let parsed =
            jwt::Jwt::parse(token).map_err(|e| verify(format!("oidc: malformed jwt: {e}")))?;
        let alg = parsed.algorithm().to_string();
        if !c.signing_algorithms.contains(&alg) {
            return Err(verify(format!(
                "oidc: id token signed with unsupported algorithm, expected {} got {alg:?}",
                go_quoted_list(&c.signing_algorithms)
            )));
        }
        match &self.keys {
            Some(keys) => {
                let kid = parsed.key_id().unwrap_or("");
                let candidates: Vec<PublicKey> = keys
                    .iter()
                    .filter(|k| kid.is_empty() || k.id.as_deref() == Some(kid))
                    .map(|k| k.key.clone())
                    .collect();
                if !parsed.verify(&candidates).unwrap_or(false) {
                    return Err(verify(
                        "failed to verify signature: failed to verify id token signature".into(),
                    ));
                }
                checks.push(Check::Passed(format!(
                    "signature by a key of {}'s JWKS",
                    c.issuer
                )));
            }
            None => checks.push(Check::NotChecked(format!(
                "the signature: kauth has no keys of issuer {} (pass --jwt-keys {}=JWKS)",
                c.issuer, c.issuer
            ))),
        }
        let claims_json = Value::Object(claims.clone());
        let vars = [("claims", &claims_json)];
        let user = self.map_user(claims, &vars)?;
        self.validate(claims, &vars, &user)?;
        Ok((user, checks))
    }

    fn map_user(
        &self,
        claims: &Map<String, Value>,
        vars: &[(&str, &Value)],
    ) -> Result<UserInfo, String> {
        let c = &self.config;
        let mut user = UserInfo::default();
        // username
        if let Some(e) = &c.username.expression {
            let bad = |m: String| format!("oidc: error evaluating username claim expression: {m}");
            match eval(e, vars).map_err(bad)? {
                CelOutcome::String(s) if s.is_empty() => {
                    return Err("oidc: empty username via CEL expression is not allowed".into());
                }
                CelOutcome::String(s) => user.username = s,
                _ => return Err(bad("username claim expression must return a string".into())),
            }
        } else {
            let claim = c.username.claim.as_deref().unwrap_or("sub");
            let parse = |m: String| format!("oidc: parse username claims {claim:?}: {m}");
            let v = claims
                .get(claim)
                .ok_or_else(|| parse("claim not present".into()))?;
            let name = go_string(v).map_err(parse)?;
            if claim == "email"
                && let Some(verified) = claims.get("email_verified")
            {
                match verified {
                    Value::Bool(true) => {}
                    Value::Bool(false) | Value::Null => {
                        return Err("oidc: email not verified".into());
                    }
                    other => {
                        return Err(format!(
                            "oidc: parse 'email_verified' claim: json: cannot unmarshal {} into Go value of type bool",
                            json_kind(other)
                        ));
                    }
                }
            }
            user.username = format!("{}{name}", c.username.prefix.as_deref().unwrap_or(""));
        }
        // groups
        match (&c.groups.claim, &c.groups.expression) {
            (Some(claim), _) => {
                if let Some(v) = claims.get(claim) {
                    let groups = string_or_array(v)
                        .map_err(|m| format!("oidc: parse groups claim {claim:?}: {m}"))?;
                    let prefix = c.groups.prefix.as_deref().unwrap_or("");
                    user.groups = groups.into_iter().map(|g| format!("{prefix}{g}")).collect();
                }
            }
            (None, Some(e)) => {
                let bad = |m: String| format!("oidc: error evaluating group claim expression: {m}");
                user.groups = string_list(&eval(e, vars).map_err(bad)?).map_err(bad)?;
            }
            (None, None) => {}
        }
        // uid
        match (&c.uid.claim, &c.uid.expression) {
            (Some(claim), _) => {
                let parse = |m: String| format!("oidc: parse uid claim {claim:?}: {m}");
                let v = claims
                    .get(claim)
                    .ok_or_else(|| parse("claim not present".into()))?;
                user.uid = go_string(v).map_err(parse)?;
            }
            (None, Some(e)) => {
                let bad = |m: String| format!("oidc: error evaluating uid claim expression: {m}");
                match eval(e, vars).map_err(bad)? {
                    CelOutcome::String(s) => user.uid = s,
                    _ => return Err(bad("uid claim expression must return a string".into())),
                }
            }
            (None, None) => {}
        }
        // extra
        if let Some(Value::String(jti)) = claims.get("jti") {
            user.extra
                .insert(CREDENTIAL_ID_KEY.to_string(), vec![format!("JTI={jti}")]);
        }
        let mut results = Vec::new();
        for (key, e) in &c.extra {
            results.push((key, e, eval(e, vars)?));
        }
        for (key, e, v) in results {
            let values = string_list(&v).map_err(|m| {
                format!(
                    "oidc: error evaluating extra claim expression: {}: {m}",
                    e.source
                )
            })?;
            if !values.is_empty() {
                user.extra.insert(key.clone(), values);
            }
        }
        Ok(user)
    }

    fn validate(
        &self,
        claims: &Map<String, Value>,
        vars: &[(&str, &Value)],
        user: &UserInfo,
    ) -> Result<(), String> {
        let c = &self.config;
        for rule in &c.claim_rules {
            if let ClaimRule::Required { claim, value } = rule {
                let v = claims.get(claim).ok_or_else(|| {
                    format!("oidc: required claim {claim} not present in ID token")
                })?;
                let got = go_string(v).map_err(|m| format!("oidc: parse claim {claim}: {m}"))?;
                if got != *value {
                    return Err(format!(
                        "oidc: required claim {claim} value does not match. Got = {got}, want = {value}"
                    ));
                }
            }
        }
        let rules: Vec<(&Expression, &str)> = c
            .claim_rules
            .iter()
            .filter_map(|r| match r {
                ClaimRule::Expression {
                    expression,
                    message,
                } => Some((expression, message.as_str())),
                ClaimRule::Required { .. } => None,
            })
            .collect();
        check_rules(&rules, vars)
            .map_err(|m| format!("oidc: error evaluating claim validation expression: {m}"))?;
        if !c.user_rules.is_empty() {
            let user_json = serde_json::json!({
                "username": user.username,
                "uid": user.uid,
                "groups": user.groups,
                "extra": user.extra,
            });
            let rules: Vec<(&Expression, &str)> =
                c.user_rules.iter().map(|(e, m)| (e, m.as_str())).collect();
            check_rules(&rules, &[("user", &user_json)])
                .map_err(|m| format!("oidc: error evaluating user info validation rule: {m}"))?;
        }
        Ok(())
    }
}

/// `checkValidationRulesEvaluation`, after every rule is evaluated.
fn check_rules(rules: &[(&Expression, &str)], vars: &[(&str, &Value)]) -> Result<(), String> {
    let mut results = Vec::new();
    for (e, message) in rules {
        results.push((e, message, eval(e, vars)?));
    }
    for (e, message, result) in results {
        match result {
            CelOutcome::Bool(true) => {}
            CelOutcome::Bool(false) => {
                return Err(format!(
                    "validation expression '{}' failed: {message}",
                    e.source
                ));
            }
            _ => return Err("validation expression must return a boolean".into()),
        }
    }
    Ok(())
}

/// Reads a JWKS document's keys with their `kid`s.
pub fn jwks_keys(text: &[u8], name: &str) -> Result<Vec<IssuerKey>, jwt::JwtError> {
    let ids: Vec<Option<String>> = serde_json::from_slice::<Value>(text)
        .ok()
        .and_then(|d| d.get("keys").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter(|k| matches!(k.get("kty").and_then(Value::as_str), Some("RSA" | "EC")))
        .map(|k| k.get("kid").and_then(Value::as_str).map(str::to_string))
        .collect();
    let keys = PublicKey::from_jwks(text, name)?;
    Ok(ids
        .into_iter()
        .zip(keys)
        .map(|(id, key)| IssuerKey { id, key })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_prints_as_go_does() {
        let t = OffsetDateTime::from_unix_timestamp(1_796_231_286).unwrap();
        assert_eq!(go_time(t), "2026-12-02 17:08:06 +0000 UTC");
        assert_eq!(
            go_time(time::macros::datetime!(0001-01-01 00:00 UTC)),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert_eq!(
            go_time(t + time::Duration::milliseconds(448)),
            "2026-12-02 17:08:06.448 +0000 UTC"
        );
    }

    #[test]
    fn claims_decode_as_go_decodes_them() {
        assert!(go_field_matches("ISS", "iss"));
        assert!(go_field_matches("ſub", "sub"));
        assert!(!go_field_matches("issuer", "iss"));
        assert_eq!(go_string(&Value::Null), Ok(String::new()));
        assert!(go_string(&serde_json::json!(1)).is_err());
        assert_eq!(
            string_or_array(&serde_json::json!("a")),
            Ok(vec!["a".to_string()])
        );
        assert!(string_or_array(&serde_json::json!([1, 2])).is_err());
        let t = |v: Value| go_time_claim(Some(&v));
        assert_eq!(t(serde_json::json!(10.9)), Ok(Some(10)));
        assert_eq!(t(serde_json::json!("12")), Ok(Some(12)));
        assert_eq!(t(serde_json::json!("1e1")), Ok(Some(10)));
        assert!(t(serde_json::json!("12s")).is_err());
        assert!(t(Value::Null).is_err());
        assert!(is_go_number("-0.5e+3") && !is_go_number("01") && !is_go_number("1."));
    }

    /// Cases after upstream's `TestToken` (oidc_test.go): an authenticator
    /// from a configuration entry, a token signed with a fresh key, the user
    /// or the error the server gives.
    #[test]
    fn token_table_after_upstream() {
        use kauth_pki::key::{KeyAlgorithm, PrivateKey};
        use serde_json::json;
        let key = PrivateKey::generate(KeyAlgorithm::Rsa { bits: 2048 }).unwrap();
        let public = PublicKey::from_spki(&key.public_key_der().unwrap()).unwrap();
        let other = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        // upstream's `now` and `valid`
        let now = time::macros::datetime!(2009-11-10 23:00 UTC);
        let valid = now.unix_timestamp() + 3600;
        let iss = "https://auth.example.com";
        let base = |mappings: Value| json!({"issuer": {"url": iss, "audiences": ["my-client"]}, "claimMappings": mappings});
        let by_claim = |claim: &str, prefix: &str| {
            base(json!({"username": {"claim": claim, "prefix": prefix}}))
        };
        type Case = (
            &'static str,
            Value,
            Value,
            Result<(&'static str, Vec<&'static str>), &'static str>,
        );
        let cases: Vec<Case> = vec![
            (
                "token",
                by_claim("username", ""),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "exp": valid}),
                Ok(("jane", vec![])),
            ),
            (
                "no-username",
                by_claim("username", "prefix:"),
                json!({"iss": iss, "aud": "my-client", "exp": valid}),
                Err("oidc: parse username claims \"username\": claim not present"),
            ),
            (
                "email",
                by_claim("email", ""),
                json!({"iss": iss, "aud": "my-client", "email": "jane@example.com", "email_verified": true, "exp": valid}),
                Ok(("jane@example.com", vec![])),
            ),
            (
                "email-not-verified",
                by_claim("email", ""),
                json!({"iss": iss, "aud": "my-client", "email": "jane@example.com", "email_verified": false, "exp": valid}),
                Err("oidc: email not verified"),
            ),
            (
                "no-email-verified-claim",
                by_claim("email", ""),
                json!({"iss": iss, "aud": "my-client", "email": "jane@example.com", "exp": valid}),
                Ok(("jane@example.com", vec![])),
            ),
            (
                "invalid-email-verified-claim",
                by_claim("email", ""),
                json!({"iss": iss, "aud": "my-client", "email": "jane@example.com", "email_verified": "false", "exp": valid}),
                Err(
                    "oidc: parse 'email_verified' claim: json: cannot unmarshal string into Go value of type bool",
                ),
            ),
            (
                "groups",
                base(
                    json!({"username": {"claim": "username", "prefix": ""}, "groups": {"claim": "groups", "prefix": ""}}),
                ),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "groups": ["team1", "team2"], "exp": valid}),
                Ok(("jane", vec!["team1", "team2"])),
            ),
            (
                "groups-string-claim and prefixes",
                base(
                    json!({"username": {"claim": "username", "prefix": "oidc:"}, "groups": {"claim": "groups", "prefix": "groups:"}}),
                ),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "groups": "team1", "exp": valid}),
                Ok(("oidc:jane", vec!["groups:team1"])),
            ),
            (
                "invalid-groups-claim",
                base(
                    json!({"username": {"claim": "username", "prefix": ""}, "groups": {"claim": "groups", "prefix": ""}}),
                ),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "groups": 42, "exp": valid}),
                Err(
                    "oidc: parse groups claim \"groups\": json: cannot unmarshal number into Go value of type string",
                ),
            ),
            (
                "required-claim",
                {
                    let mut c = by_claim("username", "");
                    c["claimValidationRules"] =
                        json!([{"claim": "hd", "requiredValue": "example.com"}]);
                    c
                },
                json!({"iss": iss, "aud": "my-client", "username": "jane", "hd": "example.com", "exp": valid}),
                Ok(("jane", vec![])),
            ),
            (
                "no-required-claim",
                {
                    let mut c = by_claim("username", "");
                    c["claimValidationRules"] =
                        json!([{"claim": "hd", "requiredValue": "example.com"}]);
                    c
                },
                json!({"iss": iss, "aud": "my-client", "username": "jane", "exp": valid}),
                Err("oidc: required claim hd not present in ID token"),
            ),
            (
                "invalid-required-claim",
                {
                    let mut c = by_claim("username", "");
                    c["claimValidationRules"] =
                        json!([{"claim": "hd", "requiredValue": "example.com"}]);
                    c
                },
                json!({"iss": iss, "aud": "my-client", "username": "jane", "hd": "example.org", "exp": valid}),
                Err(
                    "oidc: required claim hd value does not match. Got = example.org, want = example.com",
                ),
            ),
            (
                "expired",
                by_claim("username", ""),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "exp": now.unix_timestamp() - 3600}),
                Err(
                    "oidc: verify token: oidc: token is expired (Token Expiry: 2009-11-10 22:00:00 +0000 UTC)",
                ),
            ),
            (
                "invalid-aud",
                by_claim("username", ""),
                json!({"iss": iss, "aud": "not-my-client", "username": "jane", "exp": valid}),
                Err(
                    "oidc: verify token: oidc: expected audience \"my-client\" got [\"not-my-client\"]",
                ),
            ),
            (
                "multiple-audiences in MatchAny",
                json!({"issuer": {"url": iss, "audiences": ["foo", "bar"], "audienceMatchPolicy": "MatchAny"}, "claimMappings": {"username": {"claim": "username", "prefix": ""}}}),
                json!({"iss": iss, "aud": ["not-foo", "bar"], "username": "jane", "exp": valid}),
                Ok(("jane", vec![])),
            ),
            (
                "no matching audience in MatchAny",
                json!({"issuer": {"url": iss, "audiences": ["foo", "bar"], "audienceMatchPolicy": "MatchAny"}, "claimMappings": {"username": {"claim": "username", "prefix": ""}}}),
                json!({"iss": iss, "aud": ["baz"], "username": "jane", "exp": valid}),
                Err(
                    "oidc: verify token: oidc: expected audience in [\"bar\" \"foo\"] got [\"baz\"]",
                ),
            ),
            (
                "username expression",
                base(json!({"username": {"expression": "claims.username + ':external'"}})),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "exp": valid}),
                Ok(("jane:external", vec![])),
            ),
            (
                "username expression evaluates to empty",
                base(json!({"username": {"expression": "''"}})),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "exp": valid}),
                Err("oidc: empty username via CEL expression is not allowed"),
            ),
            (
                "groups expression with empty strings dropped",
                base(
                    json!({"username": {"claim": "username", "prefix": ""}, "groups": {"expression": "claims.roles.split(',')"}}),
                ),
                json!({"iss": iss, "aud": "my-client", "username": "jane", "roles": "a,,b", "exp": valid}),
                Ok(("jane", vec!["a", "b"])),
            ),
            (
                "claim validation rule fails",
                {
                    let mut c = by_claim("username", "");
                    c["claimValidationRules"] = json!([{"expression": "claims.hd == 'example.com'", "message": "hd must be example.com"}]);
                    c
                },
                json!({"iss": iss, "aud": "my-client", "username": "jane", "hd": "example.org", "exp": valid}),
                Err(
                    "oidc: error evaluating claim validation expression: validation expression 'claims.hd == 'example.com'' failed: hd must be example.com",
                ),
            ),
            (
                "claim validation rule not a boolean",
                {
                    let mut c = by_claim("username", "");
                    c["claimValidationRules"] =
                        json!([{"expression": "claims.hd", "message": "x"}]);
                    c
                },
                json!({"iss": iss, "aud": "my-client", "username": "jane", "hd": "example.org", "exp": valid}),
                Err(
                    "oidc: error evaluating claim validation expression: validation expression must return a boolean",
                ),
            ),
            (
                "user validation rule fails",
                {
                    let mut c = by_claim("username", "");
                    c["userValidationRules"] = json!([{"expression": "!user.username.startsWith('system:')", "message": "username cannot used reserved system: prefix"}]);
                    c
                },
                json!({"iss": iss, "aud": "my-client", "username": "system:jane", "exp": valid}),
                Err(
                    "oidc: error evaluating user info validation rule: validation expression '!user.username.startsWith('system:')' failed: username cannot used reserved system: prefix",
                ),
            ),
        ];
        for (name, entry, claims, want) in cases {
            let config = JwtConfig::from_entry(0, &entry).unwrap_or_else(|e| panic!("{name}: {e}"));
            let a = Authenticator {
                config,
                keys: Some(vec![IssuerKey {
                    id: None,
                    key: public.clone(),
                }]),
            };
            let token = jwt::sign(&key, None, &claims).unwrap();
            let got = a.authenticate(&token, now);
            match (want, got) {
                (Ok((user, groups)), Outcome::User(u, _)) => {
                    assert_eq!(u.username, user, "{name}");
                    assert_eq!(u.groups, groups, "{name}");
                }
                (Err(want), Outcome::Refused(got)) => assert_eq!(got, want, "{name}"),
                (want, got) => panic!("{name}: want {want:?}, got {got:?}"),
            }
        }
        // "invalid-signature": a key the issuer does not publish.
        let a = Authenticator {
            config: JwtConfig::from_entry(0, &by_claim("username", "")).unwrap(),
            keys: Some(vec![IssuerKey {
                id: None,
                key: public.clone(),
            }]),
        };
        let claims = json!({"iss": iss, "aud": "my-client", "username": "jane", "exp": valid});
        let forged = jwt::sign(&other, None, &claims).unwrap();
        assert_eq!(
            a.authenticate(&forged, now),
            Outcome::Refused("oidc: verify token: failed to verify signature: failed to verify id token signature".into())
        );
        // Another issuer's token is not this authenticator's to judge.
        let elsewhere = json!({"iss": "https://other.example.com", "aud": "my-client", "username": "jane", "exp": valid});
        assert_eq!(
            a.authenticate(&jwt::sign(&key, None, &elsewhere).unwrap(), now),
            Outcome::NotMine
        );
    }

    /// What the server refuses to start with (upstream's
    /// `TestValidateAuthenticationConfiguration`, in part).
    #[test]
    fn configurations_the_server_refuses() {
        use serde_json::json;
        for (entry, want) in [
            (
                json!({"issuer": {"url": "http://x", "audiences": ["a"]}, "claimMappings": {"username": {"claim": "sub", "prefix": ""}}}),
                "URL scheme must be https",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": []}, "claimMappings": {"username": {"claim": "sub", "prefix": ""}}}),
                "at least one",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": ["a", "b"]}, "claimMappings": {"username": {"claim": "sub", "prefix": ""}}}),
                "MatchAny",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": ["a"]}, "claimMappings": {"username": {"claim": "sub"}}}),
                "prefix is required",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": ["a"]}, "claimMappings": {"username": {"claim": "sub", "expression": "claims.sub", "prefix": ""}}}),
                "cannot both be set",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": ["a"]}, "claimMappings": {}}),
                "claim or expression",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": ["a"]}, "claimMappings": {"username": {"claim": "sub", "prefix": ""}, "extra": [{"key": "Example.com/x", "valueExpression": "'v'"}]}}),
                "lowercase",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": ["a"]}, "claimMappings": {"username": {"expression": "claims.("}}}),
                "does not compile",
            ),
            (
                json!({"issuer": {"url": "https://x", "audiences": ["a"]}, "claimMappings": {"username": {"expression": "url(claims.sub).getHost()"}}}),
                "Kubernetes url",
            ),
        ] {
            let err = JwtConfig::from_entry(0, &entry).unwrap_err().to_string();
            assert!(err.contains(want), "{entry}: {err}");
        }
    }
}
