//! Client certificate authentication, as kube-apiserver does it.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authentication/request/x509/x509.go`
//! (`Authenticator`, `CommonNameUserConversion`, `parseUIDFromCert`) and the
//! Go standard library's `crypto/x509`: `parser.go` (what
//! `ParseCertificate` refuses; the TLS handshake fails on it),
//! `verify.go` (`Certificate.Verify`, `buildChains`, `isValid`, name
//! constraints, `checkChainForKeyUsage`, `policiesValid`) and `x509.go`
//! (`CheckSignatureFrom`, in `kauth_pki::signature`). Written by hand
//! because webpki and x509-parser judge differently from Go; error texts
//! are Go's, so they can be matched against server logs.

use kauth_formats::time::rfc3339;
use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

use crate::user::{CREDENTIAL_ID_KEY, UserInfo};
use kauth_pki::name::{self, Subject, UID_OID};
use kauth_pki::signature;

const OID_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];
const OID_ANY_EKU: &[u64] = &[2, 5, 29, 37, 0];
const ANY_POLICY: &str = "2.5.29.32.0";
/// Extensions Go's parser handles when marked critical.
const HANDLED_CRITICAL: &[&[u64]] = &[
    &[2, 5, 29, 15],              // key usage
    &[2, 5, 29, 19],              // basic constraints
    &[2, 5, 29, 17],              // subject alternative name
    &[2, 5, 29, 30],              // name constraints
    &[2, 5, 29, 37],              // extended key usage
    &[2, 5, 29, 32],              // certificate policies
    &[2, 5, 29, 35],              // authority key identifier
    &[2, 5, 29, 14],              // subject key identifier
    &[2, 5, 29, 31],              // CRL distribution points
    &[2, 5, 29, 33],              // policy mappings
    &[2, 5, 29, 36],              // policy constraints
    &[2, 5, 29, 54],              // inhibit anyPolicy
    &[1, 3, 6, 1, 5, 5, 7, 1, 1], // authority information access
];

/// Why a certificate does not authenticate; the text is Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("x509: certificate signed by unknown authority{}", hint.as_ref().map(|(err, name)| format!(" (possibly because of {err:?} while trying to verify candidate authority certificate {name:?})")).unwrap_or_default())]
    UnknownAuthority {
        /// The first reason a candidate CA was rejected, and its name.
        hint: Option<(String, String)>,
    },
    #[error("x509: certificate has expired or is not yet valid: {0}")]
    Expired(String),
    #[error("x509: certificate specifies an incompatible key usage")]
    IncompatibleUsage,
    #[error("x509: unhandled critical extension")]
    UnhandledCriticalExtension,
    #[error("x509: certificate is not authorized to sign other certificates")]
    NotAuthorizedToSign,
    #[error("x509: too many intermediates for path length constraint")]
    TooManyIntermediates,
    #[error(
        "x509: a root or intermediate certificate is not authorized to sign for this name: {0}"
    )]
    NotAuthorizedForName(String),
    #[error("x509: no valid chains built: {0}")]
    NoValidChains(String),
    /// A check that failed with Go's own words (a SAN Go cannot read).
    #[error("{0}")]
    Other(String),
    /// What Go's `ParseCertificate` refuses (`x509: negative serial
    /// number`...): the server fails the TLS handshake.
    #[error("{0}")]
    Parse(String),
    #[error("x509: malformed certificate: {0}")]
    Malformed(String),
}

/// An IP range of a name constraint: address and mask, 4 or 16 bytes each.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IpRange {
    ip: Vec<u8>,
    mask: Vec<u8>,
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let ones: u32 = self.mask.iter().map(|b| b.count_ones()).sum();
        write!(f, "{}/{ones}", ip_text(&self.ip))
    }
}

/// Name constraints of one kind: permitted and excluded.
#[derive(Debug, Clone)]
struct Subtrees<T> {
    permitted: Vec<T>,
    excluded: Vec<T>,
}

impl<T> Subtrees<T> {
    /// Adds a subtree to the excluded or the permitted list.
    fn push(&mut self, excluded: bool, subtree: T) {
        if excluded {
            self.excluded.push(subtree);
        } else {
            self.permitted.push(subtree);
        }
    }
}

impl<T> Default for Subtrees<T> {
    fn default() -> Self {
        Subtrees {
            permitted: Vec::new(),
            excluded: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct NameConstraints {
    dns: Subtrees<String>,
    email: Subtrees<String>,
    ip: Subtrees<IpRange>,
    uri: Subtrees<String>,
}

impl NameConstraints {
    fn is_empty(&self) -> bool {
        [
            &self.dns.permitted,
            &self.dns.excluded,
            &self.email.permitted,
            &self.email.excluded,
            &self.uri.permitted,
            &self.uri.excluded,
        ]
        .iter()
        .all(|l| l.is_empty())
            && self.ip.permitted.is_empty()
            && self.ip.excluded.is_empty()
    }
}

/// A subject alternative name as Go's `forEachSAN` sees it.
#[derive(Debug, Clone)]
enum San {
    Email(String),
    Dns(String),
    Uri(String),
    Ip(Vec<u8>),
}

/// A certificate with the facts verification needs.
#[derive(Debug, Clone)]
pub struct Cert {
    pub der: Vec<u8>,
    pub subject: Subject,
    /// Every UID attribute of the subject: `None` where Go does not read
    /// the value as a string.
    uids: Vec<Option<String>>,
    raw_subject: Vec<u8>,
    raw_issuer: Vec<u8>,
    version: u32,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    /// `Some(is_ca, max_path_len)` when basic constraints are present.
    basic_constraints: Option<(bool, Option<u32>)>,
    /// Go's `KeyUsage` bits; 0 when absent or when no bit is set.
    key_usage: u16,
    ext_key_usage: Option<Vec<Vec<u64>>>,
    unhandled_critical: bool,
    subject_key_id: Vec<u8>,
    authority_key_id: Vec<u8>,
    serial: String,
    sans: Option<Vec<San>>,
    name_constraints: NameConstraints,
    policies: Vec<String>,
    require_explicit_policy: Option<u32>,
    inhibit_policy_mapping: Option<u32>,
    inhibit_any_policy: Option<u32>,
    /// Policy mappings, (issuer domain policy, subject domain policy).
    policy_mappings: Vec<(String, String)>,
    /// Whether Go knows the public key's algorithm (RSA, ECDSA, Ed25519,
    /// DSA, X25519): a parent with another key is never considered.
    known_key: bool,
}

fn oid_parts(oid: &x509_parser::der_parser::oid::Oid) -> Vec<u64> {
    oid.iter().map(|i| i.collect()).unwrap_or_default()
}

/// Go's `domainToReverseLabels`: `None` for an empty label, a trailing
/// dot or a byte outside 33..=126.
fn reverse_labels(domain: &str) -> Option<Vec<&str>> {
    if domain.is_empty() {
        return Some(Vec::new());
    }
    let labels: Vec<&str> = domain.split('.').rev().collect();
    if labels
        .iter()
        .any(|l| l.is_empty() || l.bytes().any(|b| !(33..=126).contains(&b)))
    {
        return None;
    }
    Some(labels)
}

/// The host of a URI the way Go's `url.Parse` finds it, or Go's error.
fn uri_host(uri: &str) -> Result<String, String> {
    let Some((_, rest)) = uri.split_once("://") else {
        return Ok(String::new());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') && !host.contains(']') {
        return Err(format!("parse {uri:?}: missing ']' in host"));
    }
    Ok(host.to_string())
}

/// Go's `parseSANExtension` checks.
fn parse_sans(value: &[u8]) -> Result<Vec<San>, String> {
    let (_, any) = x509_parser::der_parser::asn1_rs::Any::from_der(value)
        .map_err(|_| "x509: invalid subject alternative names".to_string())?;
    let mut rest = any.data;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (next, item) = x509_parser::der_parser::asn1_rs::Any::from_der(rest)
            .map_err(|_| "x509: invalid subject alternative name".to_string())?;
        rest = next;
        let data = item.data;
        let text = || String::from_utf8_lossy(data).into_owned();
        match item.header.tag().0 {
            1 if !data.is_ascii() => return Err("x509: SAN rfc822Name is malformed".into()),
            1 => out.push(San::Email(text())),
            2 if !data.is_ascii() => return Err("x509: SAN dNSName is malformed".into()),
            2 => out.push(San::Dns(text())),
            6 if !data.is_ascii() => {
                return Err("x509: SAN uniformResourceIdentifier is malformed".into());
            }
            6 => {
                let uri = text();
                let host =
                    uri_host(&uri).map_err(|e| format!("x509: cannot parse URI {uri:?}: {e}"))?;
                if !host.is_empty() && reverse_labels(&host).is_none() {
                    return Err(format!("x509: cannot parse URI {uri:?}: invalid domain"));
                }
                out.push(San::Uri(uri));
            }
            7 if data.len() == 4 || data.len() == 16 => out.push(San::Ip(data.to_vec())),
            7 => {
                return Err(format!(
                    "x509: cannot parse IP address of length {}",
                    data.len()
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Go's `parseNameConstraintsExtension`: the constraints, and whether a
/// subtree names a form Go does not check (a directoryName...).
fn parse_name_constraints(
    nc: &x509_parser::extensions::NameConstraints,
) -> Result<(NameConstraints, bool), String> {
    let mut out = NameConstraints::default();
    let mut unhandled = false;
    for (subtrees, excluded) in [
        (&nc.permitted_subtrees, false),
        (&nc.excluded_subtrees, true),
    ] {
        for subtree in subtrees.iter().flatten() {
            let trimmed = |s: &str| s.strip_prefix('.').unwrap_or(s).to_string();
            match &subtree.base {
                GeneralName::DNSName(d) => {
                    if reverse_labels(&trimmed(d)).is_none() {
                        return Err(format!("x509: failed to parse dnsName constraint {d:?}"));
                    }
                    out.dns.push(excluded, d.to_string());
                }
                GeneralName::RFC822Name(e) => {
                    let ok = if e.contains('@') {
                        mailbox(e).is_some()
                    } else {
                        reverse_labels(&trimmed(e)).is_some()
                    };
                    if !ok {
                        return Err(format!("x509: failed to parse rfc822Name constraint {e:?}"));
                    }
                    out.email.push(excluded, e.to_string());
                }
                GeneralName::URI(u) => {
                    if u.parse::<std::net::IpAddr>().is_ok() {
                        return Err(format!(
                            "x509: failed to parse URI constraint {u:?}: cannot be IP address"
                        ));
                    }
                    if reverse_labels(&trimmed(u)).is_none() {
                        return Err(format!("x509: failed to parse URI constraint {u:?}"));
                    }
                    out.uri.push(excluded, u.to_string());
                }
                GeneralName::IPAddress(data) => {
                    let half = match data.len() {
                        8 => 4,
                        32 => 16,
                        n => {
                            return Err(format!(
                                "x509: IP constraint contained value of length {n}"
                            ));
                        }
                    };
                    let (ip, mask) = data.split_at(half);
                    let mut seen_zero = false;
                    for &b in mask {
                        if seen_zero && b != 0
                            || !matches!(
                                b,
                                0 | 0x80 | 0xc0 | 0xe0 | 0xf0 | 0xf8 | 0xfc | 0xfe | 0xff
                            )
                        {
                            return Err(format!(
                                "x509: IP constraint contained invalid mask {}",
                                mask.iter().map(|b| format!("{b:02x}")).collect::<String>()
                            ));
                        }
                        seen_zero |= b != 0xff;
                    }
                    out.ip.push(
                        excluded,
                        IpRange {
                            ip: ip.to_vec(),
                            mask: mask.to_vec(),
                        },
                    );
                }
                _ => unhandled = true,
            }
        }
    }
    Ok((out, unhandled))
}

/// An RFC 2821 mailbox, split as Go's `parseRFC2821Mailbox` for the common
/// forms: local part and domain.
fn mailbox(s: &str) -> Option<(String, String)> {
    let (local, domain) = s.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    Some((local.to_string(), domain.to_string()))
}

impl Cert {
    pub fn from_der(der: &[u8]) -> Result<Cert, VerifyError> {
        let (_, c) =
            X509Certificate::from_der(der).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        // Go's parser, in its order: serial, names, public key, extensions.
        let serial = c.raw_serial();
        if serial.is_empty()
            || serial.len() > 1
                && (serial[0] == 0 && serial[1] & 0x80 == 0
                    || serial[0] == 0xff && serial[1] & 0x80 != 0)
        {
            return Err(VerifyError::Parse("x509: malformed serial number".into()));
        }
        if serial[0] & 0x80 != 0 {
            return Err(VerifyError::Parse("x509: negative serial number".into()));
        }
        for n in [c.issuer(), c.subject()] {
            if let Some(e) = name::go_name_error(n) {
                return Err(VerifyError::Parse(e));
            }
        }
        let spki = c.public_key();
        if spki.algorithm.algorithm.to_id_string() == "1.2.840.10045.2.1"
            && !signature::ec_curve(spki).is_some_and(|o| signature::go_supports_curve(&o))
        {
            return Err(VerifyError::Parse(
                "x509: unsupported elliptic curve".into(),
            ));
        }
        let uids = name::go_attributes(c.subject())
            .into_iter()
            .filter(|(oid, _)| oid == UID_OID)
            .map(|(_, v)| v.ok().flatten())
            .collect();
        let mut cert = Cert {
            der: der.to_vec(),
            subject: Subject::from_x509(c.subject()),
            uids,
            raw_subject: c.subject().as_raw().to_vec(),
            raw_issuer: c.issuer().as_raw().to_vec(),
            version: c.version().0 + 1,
            not_before: c.validity().not_before.to_datetime(),
            not_after: c.validity().not_after.to_datetime(),
            basic_constraints: None,
            key_usage: 0,
            ext_key_usage: None,
            unhandled_critical: false,
            subject_key_id: Vec::new(),
            authority_key_id: Vec::new(),
            serial: c.tbs_certificate.serial.to_string(),
            sans: None,
            name_constraints: NameConstraints::default(),
            policies: Vec::new(),
            require_explicit_policy: None,
            inhibit_policy_mapping: None,
            inhibit_any_policy: None,
            policy_mappings: Vec::new(),
            known_key: matches!(
                spki.algorithm.algorithm.to_id_string().as_str(),
                "1.2.840.113549.1.1.1"
                    | "1.2.840.10045.2.1"
                    | "1.3.101.112"
                    | "1.2.840.10040.4.1"
                    | "1.3.101.110"
            ),
        };
        let mut seen: Vec<Vec<u64>> = Vec::new();
        for ext in c.extensions() {
            let oid = oid_parts(&ext.oid);
            if seen.contains(&oid) {
                return Err(VerifyError::Parse(format!(
                    "x509: certificate contains duplicate extension with OID {:?}",
                    ext.oid.to_id_string()
                )));
            }
            seen.push(oid.clone());
            let mut unhandled = !HANDLED_CRITICAL.contains(&oid.as_slice());
            match oid.as_slice() {
                [2, 5, 29, 14] if ext.critical => {
                    return Err(VerifyError::Parse(
                        "x509: subject key identifier incorrectly marked critical".into(),
                    ));
                }
                [2, 5, 29, 35] if ext.critical => {
                    return Err(VerifyError::Parse(
                        "x509: authority key identifier incorrectly marked critical".into(),
                    ));
                }
                [1, 3, 6, 1, 5, 5, 7, 1, 1] if ext.critical => {
                    return Err(VerifyError::Parse(
                        "x509: authority info access incorrectly marked critical".into(),
                    ));
                }
                [2, 5, 29, 17] => {
                    let sans = parse_sans(ext.value).map_err(VerifyError::Parse)?;
                    // Go checks criticality when it read no name at all.
                    unhandled = sans.is_empty();
                    cert.sans = Some(sans);
                }
                _ => {}
            }
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => {
                    cert.basic_constraints = Some((bc.ca, bc.path_len_constraint))
                }
                ParsedExtension::KeyUsage(ku) => cert.key_usage = ku.flags & 0x1ff,
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    let mut list: Vec<Vec<u64>> = Vec::new();
                    if eku.any {
                        list.push(OID_ANY_EKU.to_vec());
                    }
                    if eku.client_auth {
                        list.push(OID_CLIENT_AUTH.to_vec());
                    }
                    if eku.server_auth {
                        list.push(vec![1, 3, 6, 1, 5, 5, 7, 3, 1]);
                    }
                    for (set, id) in [
                        (eku.code_signing, 3),
                        (eku.email_protection, 4),
                        (eku.time_stamping, 8),
                        (eku.ocsp_signing, 9),
                    ] {
                        if set {
                            list.push(vec![1, 3, 6, 1, 5, 5, 7, 3, id]);
                        }
                    }
                    for other in &eku.other {
                        list.push(oid_parts(other));
                    }
                    cert.ext_key_usage = Some(list);
                }
                ParsedExtension::SubjectKeyIdentifier(id) => cert.subject_key_id = id.0.to_vec(),
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    cert.authority_key_id = aki
                        .key_identifier
                        .as_ref()
                        .map(|k| k.0.to_vec())
                        .unwrap_or_default()
                }
                ParsedExtension::NameConstraints(nc) => {
                    let (constraints, odd) =
                        parse_name_constraints(nc).map_err(VerifyError::Parse)?;
                    cert.name_constraints = constraints;
                    unhandled = odd;
                }
                ParsedExtension::CertificatePolicies(list) => {
                    cert.policies = list.iter().map(|p| p.policy_id.to_id_string()).collect()
                }
                ParsedExtension::PolicyConstraints(pc) => {
                    cert.require_explicit_policy = pc.require_explicit_policy;
                    cert.inhibit_policy_mapping = pc.inhibit_policy_mapping;
                }
                ParsedExtension::InhibitAnyPolicy(ia) => {
                    cert.inhibit_any_policy = Some(ia.skip_certs)
                }
                ParsedExtension::PolicyMappings(pm) => {
                    cert.policy_mappings = pm
                        .mappings
                        .iter()
                        .map(|m| {
                            (
                                m.issuer_domain_policy.to_id_string(),
                                m.subject_domain_policy.to_id_string(),
                            )
                        })
                        .collect()
                }
                _ => {}
            }
            if ext.critical && unhandled {
                cert.unhandled_critical = true;
            }
        }
        Ok(cert)
    }

    fn is_ca(&self) -> bool {
        matches!(self.basic_constraints, Some((true, _)))
    }

    /// The name Go gives a certificate in "unknown authority" hints.
    fn display_name(&self) -> String {
        if !self.subject.common_name.is_empty() {
            self.subject.common_name.clone()
        } else if let Some(o) = self.subject.organizations.first() {
            o.clone()
        } else {
            format!("serial:{}", self.serial)
        }
    }

    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// Go's `CheckSignatureFrom`: the parent must be allowed to sign (a
    /// keyUsage with no bit set counts as absent), then Go's
    /// `checkSignature`.
    fn check_signature_from(&self, parent: &Cert) -> Result<(), String> {
        let cannot_sign =
            "x509: invalid signature: parent certificate cannot sign this kind of certificate";
        if (parent.version == 3 && parent.basic_constraints.is_none())
            || matches!(parent.basic_constraints, Some((false, _)))
        {
            return Err(cannot_sign.into());
        }
        if parent.key_usage != 0 && parent.key_usage & (1 << 5) == 0 {
            return Err(cannot_sign.into());
        }
        let (_, child) = X509Certificate::from_der(&self.der).map_err(|e| e.to_string())?;
        let (_, p) = X509Certificate::from_der(&parent.der).map_err(|e| e.to_string())?;
        signature::check(
            &child.signature_algorithm,
            child.tbs_certificate.as_ref(),
            &child.signature_value.data,
            p.public_key(),
            false,
        )
    }

    /// Go's `isValid`.
    fn is_valid(
        &self,
        kind: Kind,
        chain: &[&Cert],
        now: OffsetDateTime,
    ) -> Result<(), VerifyError> {
        if self.unhandled_critical {
            return Err(VerifyError::UnhandledCriticalExtension);
        }
        if now < self.not_before {
            return Err(VerifyError::Expired(format!(
                "current time {} is before {}",
                rfc3339(now),
                rfc3339(self.not_before)
            )));
        }
        if now > self.not_after {
            return Err(VerifyError::Expired(format!(
                "current time {} is after {}",
                rfc3339(now),
                rfc3339(self.not_after)
            )));
        }
        if kind != Kind::Leaf && !self.name_constraints.is_empty() {
            let mut count = 0usize;
            for below in chain {
                for san in below.sans.iter().flatten() {
                    self.check_name(san, &mut count)?;
                }
            }
        }
        if kind == Kind::Intermediate && !self.is_ca() {
            return Err(VerifyError::NotAuthorizedToSign);
        }
        if let Some((_, Some(max))) = self.basic_constraints
            && chain.len().saturating_sub(1) > max as usize
        {
            return Err(VerifyError::TooManyIntermediates);
        }
        Ok(())
    }

    /// One SAN of a certificate below against this CA's constraints
    /// (Go's `checkNameConstraints` and the `match*Constraint` functions).
    fn check_name(&self, san: &San, count: &mut usize) -> Result<(), VerifyError> {
        let nc = &self.name_constraints;
        fn run<T: std::fmt::Display>(
            kind: &str,
            name: &str,
            trees: &Subtrees<T>,
            count: &mut usize,
            matches: impl Fn(&T) -> Result<bool, String>,
        ) -> Result<(), VerifyError> {
            *count += trees.excluded.len();
            if *count > 250_000 {
                return Err(VerifyError::Other(
                    "x509: a root or intermediate certificate has too many constraints".into(),
                ));
            }
            for c in &trees.excluded {
                if matches(c).map_err(VerifyError::NotAuthorizedForName)? {
                    return Err(VerifyError::NotAuthorizedForName(format!(
                        "{kind} {name:?} is excluded by constraint {:?}",
                        c.to_string()
                    )));
                }
            }
            *count += trees.permitted.len();
            let mut ok = true;
            for c in &trees.permitted {
                ok = matches(c).map_err(VerifyError::NotAuthorizedForName)?;
                if ok {
                    break;
                }
            }
            if !ok {
                return Err(VerifyError::NotAuthorizedForName(format!(
                    "{kind} {name:?} is not permitted by any constraint"
                )));
            }
            Ok(())
        }
        match san {
            San::Email(e) => {
                let Some((local, domain)) = mailbox(e) else {
                    return Err(VerifyError::Other(format!(
                        "x509: cannot parse rfc822Name {e:?}"
                    )));
                };
                run("email address", e, &nc.email, count, |c| {
                    if c.contains('@') {
                        let (cl, cd) = mailbox(c).ok_or_else(|| {
                            format!("x509: internal error: cannot parse constraint {c:?}")
                        })?;
                        Ok(cl == local && cd.eq_ignore_ascii_case(&domain))
                    } else {
                        match_domain(&domain, c)
                    }
                })
            }
            San::Dns(d) => {
                if d.is_empty()
                    || d.ends_with('.')
                    || d.starts_with('.')
                    || reverse_labels(d).is_none()
                {
                    return Err(VerifyError::Other(format!(
                        "x509: cannot parse dnsName {d:?}"
                    )));
                }
                run("DNS name", d, &nc.dns, count, |c| match_domain(d, c))
            }
            San::Uri(u) => run("URI", u, &nc.uri, count, |c| {
                let mut host = uri_host(u).unwrap_or_default();
                if host.is_empty() {
                    return Err(format!(
                        "URI with empty host ({u:?}) cannot be matched against constraints"
                    ));
                }
                if host.contains(':') && !host.ends_with(']') {
                    host = host
                        .rsplit_once(':')
                        .map(|(h, _)| h.to_string())
                        .unwrap_or(host);
                }
                if host.starts_with('[') && host.ends_with(']')
                    || host.parse::<std::net::IpAddr>().is_ok()
                {
                    return Err(format!(
                        "URI with IP ({u:?}) cannot be matched against constraints"
                    ));
                }
                match_domain(&host, c)
            }),
            San::Ip(ip) => run("IP address", &ip_text(ip), &nc.ip, count, |c| {
                Ok(ip.len() == c.ip.len()
                    && ip
                        .iter()
                        .zip(&c.ip)
                        .zip(&c.mask)
                        .all(|((a, b), m)| a & m == b & m))
            }),
        }
    }
}

fn ip_text(ip: &[u8]) -> String {
    match ip.len() {
        4 => std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(ip);
            let v6 = std::net::Ipv6Addr::from(a);
            match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => v6.to_string(),
            }
        }
        _ => ip.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Go's `matchDomainConstraint`.
fn match_domain(domain: &str, constraint: &str) -> Result<bool, String> {
    if constraint.is_empty() {
        return Ok(true);
    }
    let domain_labels = reverse_labels(domain)
        .ok_or_else(|| format!("x509: internal error: cannot parse domain {domain:?}"))?;
    let (must_have_sub, bare) = match constraint.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, constraint),
    };
    let constraint_labels = reverse_labels(bare)
        .ok_or_else(|| format!("x509: internal error: cannot parse domain {bare:?}"))?;
    if domain_labels.len() < constraint_labels.len()
        || (must_have_sub && domain_labels.len() == constraint_labels.len())
    {
        return Ok(false);
    }
    Ok(constraint_labels
        .iter()
        .zip(&domain_labels)
        .all(|(c, d)| c.eq_ignore_ascii_case(d)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Leaf,
    Intermediate,
    Root,
}

/// Verifies `leaf` against `roots` (the `--client-ca-file` bundle) with
/// the intermediates the client sent, at `now`, requiring client
/// authentication. Returns the chains (leaf first, root last).
pub fn verify<'a>(
    leaf: &'a Cert,
    intermediates: &'a [Cert],
    roots: &'a [Cert],
    now: OffsetDateTime,
) -> Result<Vec<Vec<&'a Cert>>, VerifyError> {
    leaf.is_valid(Kind::Leaf, &[], now)?;
    let chains = if roots.iter().any(|r| r.der == leaf.der) {
        vec![vec![leaf]]
    } else {
        let mut checks = 0;
        build_chains(vec![leaf], intermediates, roots, now, &mut checks)?
    };
    let total = chains.len();
    let chains: Vec<Vec<&Cert>> = chains.into_iter().filter(|c| policies_valid(c)).collect();
    let invalid_policies = total - chains.len();
    if chains.is_empty() {
        return Err(VerifyError::NoValidChains(format!(
            "{invalid_policies} candidate chains with invalid policies"
        )));
    }
    let candidates = chains.len();
    let good: Vec<Vec<&Cert>> = chains
        .into_iter()
        .filter(|c| chain_allows_client_auth(c))
        .collect();
    if good.is_empty() {
        if invalid_policies == 0 {
            return Err(VerifyError::IncompatibleUsage);
        }
        return Err(VerifyError::NoValidChains(format!(
            "{candidates} chains with incompatible key usage, {invalid_policies} chains with invalid policies"
        )));
    }
    Ok(good)
}

/// Go's `policiesValid`: RFC 5280 6.1 policy processing as updated by
/// RFC 9618 (a policy graph instead of a tree), with kube-apiserver's
/// options: any initial policy, none of the inhibit or require flags set
/// by the verifier. `chain` runs from the leaf to the root.
fn policies_valid(chain: &[&Cert]) -> bool {
    if chain.len() == 1 {
        return true;
    }
    let n = chain.len() - 1;
    let mut graph = Some(PolicyGraph::new());
    let (mut inhibit_any, mut explicit, mut mapping) = (n + 1, n + 1, n + 1);
    for i in (0..n).rev() {
        let cert = chain[i];
        let self_signed = cert.raw_issuer == cert.raw_subject;
        if cert.policies.is_empty() {
            graph = None;
        }
        if explicit == 0 && graph.is_none() {
            return false;
        }
        if let Some(g) = &mut graph {
            g.next_depth();
            for policy in cert.policies.iter().filter(|p| *p != ANY_POLICY) {
                let mut parents = g.parents_expecting(policy);
                if parents.is_empty()
                    && let Some(any) = g.parent(ANY_POLICY)
                {
                    parents = vec![any];
                }
                if !parents.is_empty() {
                    g.insert(policy, parents);
                }
            }
            if cert.policies.iter().any(|p| p == ANY_POLICY)
                && (inhibit_any > 0 || (n - i < n && self_signed))
            {
                let mut missing: BTreeMap<String, Vec<usize>> = BTreeMap::new();
                for parent in g.parents() {
                    for expected in &g.nodes[parent].expected {
                        if g.leaf(expected).is_none() {
                            missing.entry(expected.clone()).or_default().push(parent);
                        }
                    }
                }
                for (policy, parents) in missing {
                    g.insert(&policy, parents);
                }
            }
            g.prune();
            if i != 0 && !cert.policy_mappings.is_empty() {
                let mut mappings: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                for (issuer, subject) in &cert.policy_mappings {
                    if mapping > 0 {
                        if issuer == ANY_POLICY || subject == ANY_POLICY {
                            return false;
                        }
                        mappings.entry(issuer).or_default().push(subject.clone());
                    } else {
                        g.delete_leaf(issuer);
                    }
                }
                g.prune();
                for (issuer, subjects) in mappings {
                    if let Some(leaf) = g.leaf(issuer) {
                        g.nodes[leaf].expected = subjects;
                    } else if let Some(any) = g.leaf(ANY_POLICY) {
                        let node = g.insert(issuer, vec![any]);
                        g.nodes[node].expected = subjects;
                    }
                }
            }
        }
        if i != 0 {
            if !self_signed {
                explicit = explicit.saturating_sub(1);
                mapping = mapping.saturating_sub(1);
                inhibit_any = inhibit_any.saturating_sub(1);
            }
            let lower = |value: &mut usize, limit: Option<u32>| {
                if let Some(limit) = limit
                    && (limit as usize) < *value
                {
                    *value = limit as usize;
                }
            };
            lower(&mut explicit, cert.require_explicit_policy);
            lower(&mut mapping, cert.inhibit_policy_mapping);
            lower(&mut inhibit_any, cert.inhibit_any_policy);
        }
    }
    explicit = explicit.saturating_sub(1);
    if chain[0].require_explicit_policy == Some(0) {
        explicit = 0;
    }
    // With anyPolicy as the initial set, the user-constrained set is the
    // authority-constrained one: the valid policy nodes, and anyPolicy
    // when it is still a leaf.
    let valid = graph.is_some_and(|g| g.has_valid_policy());
    explicit != 0 || valid
}

/// RFC 9618's valid policy graph: one stratum per certificate, each
/// mapping a policy to its node; nodes live in an arena.
struct PolicyGraph {
    nodes: Vec<PolicyNode>,
    strata: Vec<BTreeMap<String, usize>>,
}

struct PolicyNode {
    valid: String,
    expected: Vec<String>,
    parents: BTreeSet<usize>,
    children: BTreeSet<usize>,
}

impl PolicyGraph {
    fn new() -> Self {
        let root = PolicyNode {
            valid: ANY_POLICY.to_string(),
            expected: vec![ANY_POLICY.to_string()],
            parents: BTreeSet::new(),
            children: BTreeSet::new(),
        };
        PolicyGraph {
            nodes: vec![root],
            strata: vec![BTreeMap::from([(ANY_POLICY.to_string(), 0)])],
        }
    }

    fn depth(&self) -> usize {
        self.strata.len() - 1
    }

    fn next_depth(&mut self) {
        self.strata.push(BTreeMap::new());
    }

    /// Adds the leaf for `policy` under `parents`. A leaf it replaces (a
    /// policy a certificate lists twice) stays linked to its parents, as
    /// in Go.
    fn insert(&mut self, policy: &str, parents: Vec<usize>) -> usize {
        let id = self.nodes.len();
        for &p in &parents {
            self.nodes[p].children.insert(id);
        }
        self.nodes.push(PolicyNode {
            valid: policy.to_string(),
            expected: vec![policy.to_string()],
            parents: parents.into_iter().collect(),
            children: BTreeSet::new(),
        });
        let depth = self.depth();
        self.strata[depth].insert(policy.to_string(), id);
        id
    }

    fn detach(&mut self, id: usize) {
        for p in std::mem::take(&mut self.nodes[id].parents) {
            self.nodes[p].children.remove(&id);
        }
        for c in std::mem::take(&mut self.nodes[id].children) {
            self.nodes[c].parents.remove(&id);
        }
    }

    /// The nodes one level up whose expected policies include `policy`.
    fn parents_expecting(&self, policy: &str) -> Vec<usize> {
        self.parents()
            .filter(|&p| self.nodes[p].expected.iter().any(|e| e == policy))
            .collect()
    }

    fn parents(&self) -> impl Iterator<Item = usize> + '_ {
        let depth = self.depth();
        (depth > 0)
            .then(|| self.strata[depth - 1].values().copied())
            .into_iter()
            .flatten()
    }

    fn parent(&self, policy: &str) -> Option<usize> {
        let depth = self.depth();
        (depth > 0).then(|| self.strata[depth - 1].get(policy).copied())?
    }

    fn leaf(&self, policy: &str) -> Option<usize> {
        self.strata[self.depth()].get(policy).copied()
    }

    fn delete_leaf(&mut self, policy: &str) {
        let depth = self.depth();
        if let Some(id) = self.strata[depth].remove(policy) {
            self.detach(id);
        }
    }

    /// Removes the nodes below the leaves that have no children left.
    fn prune(&mut self) {
        for i in (1..self.depth()).rev() {
            let dead: Vec<(String, usize)> = self.strata[i]
                .iter()
                .filter(|&(_, &id)| self.nodes[id].children.is_empty())
                .map(|(p, &id)| (p.clone(), id))
                .collect();
            for (policy, id) in dead {
                self.detach(id);
                self.strata[i].remove(&policy);
            }
        }
    }

    /// Whether any node other than anyPolicy hangs from an anyPolicy node
    /// alone, or anyPolicy is a leaf.
    fn has_valid_policy(&self) -> bool {
        self.leaf(ANY_POLICY).is_some()
            || self.strata.iter().flat_map(|s| s.values()).any(|&id| {
                let node = &self.nodes[id];
                node.valid != ANY_POLICY
                    && node.parents.len() == 1
                    && node
                        .parents
                        .iter()
                        .all(|&p| self.nodes[p].valid == ANY_POLICY)
            })
    }
}

/// Candidates whose subject is the child's issuer, best key-ID match first.
fn potential_parents<'a>(child: &Cert, pool: &'a [Cert]) -> Vec<&'a Cert> {
    let mut matching = Vec::new();
    let mut one = Vec::new();
    let mut mismatch = Vec::new();
    for c in pool.iter().filter(|c| c.raw_subject == child.raw_issuer) {
        if c.subject_key_id == child.authority_key_id {
            matching.push(c);
        } else if c.subject_key_id.is_empty() != child.authority_key_id.is_empty() {
            one.push(c);
        } else {
            mismatch.push(c);
        }
    }
    matching.into_iter().chain(one).chain(mismatch).collect()
}

/// Go's `buildChains`. As in Go, the error is the last one a candidate's
/// `isValid` or a deeper search returned; a candidate whose signature does
/// not check only leaves a hint for "unknown authority".
fn build_chains<'a>(
    chain: Vec<&'a Cert>,
    intermediates: &'a [Cert],
    roots: &'a [Cert],
    now: OffsetDateTime,
    checks: &mut usize,
) -> Result<Vec<Vec<&'a Cert>>, VerifyError> {
    let child = *chain.last().expect("chains start with the leaf");
    let mut chains = Vec::new();
    let mut hint: Option<(String, String)> = None;
    let mut err: Option<VerifyError> = None;
    let candidates = potential_parents(child, roots)
        .into_iter()
        .map(|c| (Kind::Root, c))
        .chain(
            potential_parents(child, intermediates)
                .into_iter()
                .map(|c| (Kind::Intermediate, c)),
        );
    for (kind, candidate) in candidates {
        if !candidate.known_key || chain.iter().any(|c| c.der == candidate.der) {
            continue;
        }
        *checks += 1;
        if *checks > 100 {
            err = Some(VerifyError::Other(
                "x509: signature check attempts limit reached while verifying certificate chain"
                    .into(),
            ));
            continue;
        }
        if let Err(e) = child.check_signature_from(candidate) {
            hint.get_or_insert((e, candidate.display_name()));
            continue;
        }
        if let Err(e) = candidate.is_valid(kind, &chain, now) {
            hint.get_or_insert((e.to_string(), candidate.display_name()));
            err = Some(e);
            continue;
        }
        err = None;
        let mut next = chain.clone();
        next.push(candidate);
        match kind {
            Kind::Root => chains.push(next),
            _ => match build_chains(next, intermediates, roots, now, checks) {
                Ok(more) => chains.extend(more),
                Err(e) => err = Some(e),
            },
        }
    }
    if !chains.is_empty() {
        return Ok(chains);
    }
    Err(err.unwrap_or(VerifyError::UnknownAuthority { hint }))
}

/// Go's `checkChainForKeyUsage` for client authentication: every
/// certificate in the chain, root included, that lists extended key usages
/// must list clientAuth or anyExtendedKeyUsage.
fn chain_allows_client_auth(chain: &[&Cert]) -> bool {
    chain.iter().all(|c| match &c.ext_key_usage {
        None => true,
        Some(list) if list.is_empty() => true,
        Some(list) => list
            .iter()
            .any(|u| u == OID_CLIENT_AUTH || u == OID_ANY_EKU),
    })
}

/// Why a verified certificate still gives no user, in the server's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error(
        "the certificate has an empty CommonName: the API server does not authenticate it (no user)"
    )]
    EmptyCommonName,
    /// Go's `%v` of the UIDs found.
    #[error("expected 1 UID, but found multiple: [{}]", .0.join(" "))]
    MultipleUids(Vec<String>),
    #[error("unable to parse UID into a string")]
    UidNotString,
    #[error("UID cannot be an empty string")]
    EmptyUid,
}

/// `CommonNameUserConversion`: CN is the user, every O a group, the UID
/// attribute the UID (`parseUIDFromCert`), and the credential ID the
/// certificate's SHA-256.
pub fn user_from_certificate(leaf: &Cert) -> Result<UserInfo, UserError> {
    if leaf.subject.common_name.is_empty() {
        return Err(UserError::EmptyCommonName);
    }
    let mut uids = Vec::new();
    for uid in &leaf.uids {
        uids.push(uid.clone().ok_or(UserError::UidNotString)?);
    }
    let uid = match uids.as_slice() {
        [] => String::new(),
        [one] if one.is_empty() => return Err(UserError::EmptyUid),
        [one] => one.clone(),
        _ => return Err(UserError::MultipleUids(uids)),
    };
    let fingerprint = kauth_pki::cert::sha256_hex(&leaf.der);
    Ok(UserInfo {
        username: leaf.subject.common_name.clone(),
        uid,
        groups: leaf.subject.organizations.clone(),
        extra: BTreeMap::from([(
            CREDENTIAL_ID_KEY.to_string(),
            vec![format!("X509SHA256={fingerprint}")],
        )]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kauth_pki::cert::{
        self, CertSpec, EKU_ANY, EKU_CLIENT_AUTH, EKU_SERVER_AUTH, Issuer, Usage,
    };
    use kauth_pki::key::{KeyAlgorithm, PrivateKey};
    use time::{Duration, macros::datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    struct Ca {
        key: PrivateKey,
        cert: Cert,
    }

    fn make(
        subject: Subject,
        usage: Usage,
        issuer: Option<&Ca>,
        validity: (OffsetDateTime, OffsetDateTime),
    ) -> Ca {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let spki = key.public_key_der().unwrap();
        let subject_der = subject.to_der();
        let spec = CertSpec {
            subject_der: subject_der.clone(),
            public_key_der: &spki,
            serial: cert::random_serial(),
            not_before: validity.0,
            not_after: validity.1,
            usage,
        };
        let der = match issuer {
            Some(ca) => {
                let (_, parent) = X509Certificate::from_der(&ca.cert.der).unwrap();
                cert::build_certificate(
                    &spec,
                    &Issuer {
                        name_der: parent.subject().as_raw(),
                        key: &ca.key,
                        key_id: Some(cert::key_identifier(parent.public_key().raw).unwrap()),
                    },
                )
                .unwrap()
            }
            None => cert::build_certificate(
                &spec,
                &Issuer {
                    name_der: &subject_der,
                    key: &key,
                    key_id: Some(cert::key_identifier(&spki).unwrap()),
                },
            )
            .unwrap(),
        };
        Ca {
            key,
            cert: Cert::from_der(&der).unwrap(),
        }
    }

    fn valid() -> (OffsetDateTime, OffsetDateTime) {
        (NOW - Duration::days(1), NOW + Duration::days(365))
    }

    fn named(cn: &str) -> Subject {
        Subject::new(cn, &[], None)
    }

    fn root() -> Ca {
        make(named("root"), Usage::ca(), None, valid())
    }

    fn client(cn: &str, groups: &[&str], issuer: &Ca) -> Ca {
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        make(
            Subject::new(cn, &groups, None),
            Usage::client(false),
            Some(issuer),
            valid(),
        )
    }

    fn with_eku(mut p: Usage, eku: Option<Vec<&'static [u64]>>) -> Usage {
        p.ext_key_usage = eku;
        p
    }

    fn check(leaf: &Ca, intermediates: &[&Ca], roots: &[&Ca]) -> Result<UserInfo, String> {
        let inter: Vec<Cert> = intermediates.iter().map(|c| c.cert.clone()).collect();
        let roots: Vec<Cert> = roots.iter().map(|c| c.cert.clone()).collect();
        verify(&leaf.cert, &inter, &roots, NOW).map_err(|e| e.to_string())?;
        user_from_certificate(&leaf.cert).map_err(|e| e.to_string())
    }

    /// Cases after `TestX509` in upstream's `x509_test.go` and Go's
    /// `verify_test.go`, on certificates kauth makes.
    #[test]
    fn chains_and_key_usages_follow_go() {
        let ca = root();
        let ok = check(&client("kfree", &["dev", "ops"], &ca), &[], &[&ca]).unwrap();
        assert_eq!(
            (ok.username.as_str(), ok.groups.clone()),
            ("kfree", vec!["dev".to_string(), "ops".to_string()])
        );
        assert!(ok.extra[CREDENTIAL_ID_KEY][0].starts_with("X509SHA256="));
        assert_eq!(
            ok.extra[CREDENTIAL_ID_KEY][0].len(),
            "X509SHA256=".len() + 64
        );

        let other = make(named("root"), Usage::ca(), None, valid());
        assert_eq!(
            check(&client("kfree", &[], &ca), &[], &[&other]).unwrap_err(),
            "x509: certificate signed by unknown authority (possibly because of \"x509: ECDSA verification failure\" while trying to verify candidate authority certificate \"root\")"
        );
        let unrelated = make(named("elsewhere"), Usage::ca(), None, valid());
        assert_eq!(
            check(&client("kfree", &[], &ca), &[], &[&unrelated]).unwrap_err(),
            "x509: certificate signed by unknown authority"
        );

        let eku = |leaf_eku: Option<Vec<&'static [u64]>>| {
            make(
                named("u"),
                with_eku(Usage::client(false), leaf_eku),
                Some(&ca),
                valid(),
            )
        };
        assert!(check(&eku(None), &[], &[&ca]).is_ok(), "no EKU means any");
        assert!(check(&eku(Some(vec![EKU_ANY])), &[], &[&ca]).is_ok());
        assert!(
            check(
                &eku(Some(vec![EKU_SERVER_AUTH, EKU_CLIENT_AUTH])),
                &[],
                &[&ca]
            )
            .is_ok()
        );
        assert_eq!(
            check(&eku(Some(vec![EKU_SERVER_AUTH])), &[], &[&ca]).unwrap_err(),
            "x509: certificate specifies an incompatible key usage"
        );

        // Intermediates: EKUs are checked along the whole chain.
        let inter = |eku: Option<Vec<&'static [u64]>>| {
            make(
                named("inter"),
                with_eku(Usage::ca(), eku),
                Some(&ca),
                valid(),
            )
        };
        let i_ok = inter(Some(vec![EKU_CLIENT_AUTH]));
        assert!(check(&client("u", &[], &i_ok), &[&i_ok], &[&ca]).is_ok());
        let i_server = inter(Some(vec![EKU_SERVER_AUTH]));
        assert_eq!(
            check(&client("u", &[], &i_server), &[&i_server], &[&ca]).unwrap_err(),
            "x509: certificate specifies an incompatible key usage"
        );
        let server_root = make(
            named("sroot"),
            with_eku(Usage::ca(), Some(vec![EKU_SERVER_AUTH])),
            None,
            valid(),
        );
        assert_eq!(
            check(&client("u", &[], &server_root), &[], &[&server_root]).unwrap_err(),
            "x509: certificate specifies an incompatible key usage"
        );
        // Without the intermediate, the chain does not build.
        assert!(
            check(&client("u", &[], &i_ok), &[], &[&ca])
                .unwrap_err()
                .starts_with("x509: certificate signed by unknown authority")
        );

        // An intermediate that is not a CA cannot sign.
        let mut not_ca = Usage::ca();
        not_ca.basic_constraints = Some((false, None));
        let fake = make(named("fake"), not_ca, Some(&ca), valid());
        assert_eq!(
            check(&client("u", &[], &fake), &[&fake], &[&ca]).unwrap_err(),
            "x509: certificate signed by unknown authority (possibly because of \"x509: invalid signature: parent certificate cannot sign this kind of certificate\" while trying to verify candidate authority certificate \"fake\")"
        );
        let mut no_bc = Usage::ca();
        no_bc.basic_constraints = None;
        let bare = make(named("bare"), no_bc, Some(&ca), valid());
        assert!(
            check(&client("u", &[], &bare), &[&bare], &[&ca])
                .unwrap_err()
                .contains("cannot sign this kind")
        );

        // Path length: a root limited to no intermediates.
        let mut zero = Usage::ca();
        zero.basic_constraints = Some((true, Some(0)));
        let strict = make(named("strict"), zero, None, valid());
        let i2 = make(named("i2"), Usage::ca(), Some(&strict), valid());
        assert!(
            check(&client("u", &[], &i2), &[&i2], &[&strict])
                .unwrap_err()
                .contains("too many intermediates")
        );
    }

    #[test]
    fn validity_and_leaf_rules_follow_go() {
        let ca = root();
        let expired = make(
            named("u"),
            Usage::client(false),
            Some(&ca),
            (NOW - Duration::days(10), NOW - Duration::days(1)),
        );
        assert_eq!(
            check(&expired, &[], &[&ca]).unwrap_err(),
            "x509: certificate has expired or is not yet valid: current time 2026-11-23T12:00:00Z is after 2026-11-22T12:00:00Z"
        );
        let future = make(
            named("u"),
            Usage::client(false),
            Some(&ca),
            (NOW + Duration::hours(1), NOW + Duration::days(1)),
        );
        assert!(
            check(&future, &[], &[&ca])
                .unwrap_err()
                .ends_with("is before 2026-11-23T13:00:00Z")
        );
        let old_ca = make(
            named("old"),
            Usage::ca(),
            None,
            (NOW - Duration::days(10), NOW - Duration::days(1)),
        );
        let leaf = client("u", &[], &old_ca);
        assert_eq!(
            check(&leaf, &[], &[&old_ca]).unwrap_err(),
            "x509: certificate has expired or is not yet valid: current time 2026-11-23T12:00:00Z is after 2026-11-22T12:00:00Z",
            "as in Go, a candidate's own validity error is the error (a real kube-apiserver answers so)"
        );

        let mut critical = Usage::client(false);
        critical.unknown_critical = true;
        let odd = make(named("u"), critical, Some(&ca), valid());
        assert_eq!(
            check(&odd, &[], &[&ca]).unwrap_err(),
            "x509: unhandled critical extension"
        );

        // A client certificate placed in the CA bundle itself is accepted.
        let leaf = client("direct", &["g"], &ca);
        assert_eq!(check(&leaf, &[], &[&leaf]).unwrap().username, "direct");

        let nameless = make(
            Subject::new("", &["dev".into()], None),
            Usage::client(false),
            Some(&ca),
            valid(),
        );
        assert_eq!(
            check(&nameless, &[], &[&ca]).unwrap_err(),
            UserError::EmptyCommonName.to_string()
        );
        let with_uid = make(
            Subject::new("u", &[], Some("1234")),
            Usage::client(false),
            Some(&ca),
            valid(),
        );
        assert_eq!(check(&with_uid, &[], &[&ca]).unwrap().uid, "1234");
    }

    /// A certificate as DER: any key, subject DER and extra extensions.
    fn forge(
        key: &PrivateKey,
        subject_der: Vec<u8>,
        usage: Usage,
        issuer: Option<(&PrivateKey, &[u8])>,
        extra: &[cert::RawExtension],
    ) -> Vec<u8> {
        let spki = key.public_key_der().unwrap();
        let spec = CertSpec {
            subject_der: subject_der.clone(),
            public_key_der: &spki,
            serial: cert::random_serial(),
            not_before: valid().0,
            not_after: valid().1,
            usage,
        };
        let (issuer_key, issuer_name) = issuer.unwrap_or((key, &subject_der));
        cert::build_certificate_with(
            &spec,
            &Issuer {
                name_der: issuer_name,
                key: issuer_key,
                key_id: None,
            },
            extra,
        )
        .unwrap()
    }

    fn key(alg: KeyAlgorithm) -> PrivateKey {
        PrivateKey::generate(alg).unwrap()
    }

    fn judge(leaf: &[u8], root: &[u8]) -> Result<UserInfo, String> {
        let leaf = Cert::from_der(leaf).map_err(|e| e.to_string())?;
        let root = Cert::from_der(root).map_err(|e| e.to_string())?;
        verify(&leaf, &[], std::slice::from_ref(&root), NOW).map_err(|e| e.to_string())?;
        user_from_certificate(&leaf).map_err(|e| e.to_string())
    }

    /// A P-521 CA (ECDSA-SHA512) and RSA CAs verify as in Go; a CA whose
    /// keyUsage has no bit set counts as one without keyUsage.
    #[test]
    fn every_key_go_accepts_can_sign() {
        for alg in [
            KeyAlgorithm::EcdsaP521,
            KeyAlgorithm::EcdsaP384,
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::Rsa { bits: 2048 },
        ] {
            let ca_key = key(alg);
            let ca_name = named("p-ca").to_der();
            let root = forge(&ca_key, ca_name.clone(), Usage::ca(), None, &[]);
            let leaf = forge(
                &key(KeyAlgorithm::EcdsaP256),
                named("u").to_der(),
                Usage::client(false),
                Some((&ca_key, &ca_name)),
                &[],
            );
            assert_eq!(judge(&leaf, &root).unwrap().username, "u", "{alg}");
        }
        let ca_key = key(KeyAlgorithm::EcdsaP256);
        let ca_name = named("bare-ku").to_der();
        let mut no_bits = Usage::ca();
        no_bits.key_usage = Some(0);
        let root = forge(&ca_key, ca_name.clone(), no_bits, None, &[]);
        let leaf = forge(
            &key(KeyAlgorithm::EcdsaP256),
            named("u").to_der(),
            Usage::client(false),
            Some((&ca_key, &ca_name)),
            &[],
        );
        assert_eq!(judge(&leaf, &root).unwrap().username, "u");
    }

    /// What Go's `ParseCertificate` refuses, in Go's words.
    #[test]
    fn the_parser_refuses_what_go_refuses() {
        let k = key(KeyAlgorithm::EcdsaP256);
        let null = yasna::construct_der(|w| w.write_null());
        let odd: &[u64] = &[1, 3, 6, 1, 4, 1, 99999, 9];
        let twice = forge(
            &k,
            named("u").to_der(),
            Usage::client(false),
            None,
            &[(odd, false, null.clone()), (odd, false, null.clone())],
        );
        assert_eq!(
            Cert::from_der(&twice).unwrap_err().to_string(),
            "x509: certificate contains duplicate extension with OID \"1.3.6.1.4.1.99999.9\""
        );
        let aia: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];
        let empty_seq = yasna::construct_der(|w| w.write_sequence(|_| {}));
        let critical_aia = forge(
            &k,
            named("u").to_der(),
            Usage::client(false),
            None,
            &[(aia, true, empty_seq)],
        );
        assert_eq!(
            Cert::from_der(&critical_aia).unwrap_err().to_string(),
            "x509: authority info access incorrectly marked critical"
        );
        let san: &[u64] = &[2, 5, 29, 17];
        let bad_uri = yasna::construct_der(|w| {
            w.write_sequence(|w| {
                w.next().write_tagged_implicit(yasna::Tag::context(6), |w| {
                    w.write_ia5_string("http://[::1")
                })
            })
        });
        let unparsable = forge(
            &k,
            named("u").to_der(),
            Usage::client(false),
            None,
            &[(san, false, bad_uri)],
        );
        assert_eq!(
            Cert::from_der(&unparsable).unwrap_err().to_string(),
            "x509: cannot parse URI \"http://[::1\": parse \"http://[::1\": missing ']' in host"
        );
    }

    /// A Name with the given (OID, DER value) attributes, one per RDN.
    fn raw_name(attrs: &[(&[u64], Vec<u8>)]) -> Vec<u8> {
        yasna::construct_der(|w| {
            w.write_sequence(|w| {
                for (oid, value) in attrs {
                    w.next().write_set(|w| {
                        w.next().write_sequence(|w| {
                            w.next()
                                .write_oid(&yasna::models::ObjectIdentifier::from_slice(oid));
                            w.next().write_der(value);
                        })
                    })
                }
            })
        })
    }

    /// `parseUIDFromCert`: empty, non-string and repeated UIDs are errors.
    #[test]
    fn uid_attributes_follow_kube_apiserver() {
        let cn: &[u64] = &[2, 5, 4, 3];
        let utf8 = |s: &str| yasna::construct_der(|w| w.write_utf8_string(s));
        let ca_key = key(KeyAlgorithm::EcdsaP256);
        let ca_name = named("ca").to_der();
        let root = forge(&ca_key, ca_name.clone(), Usage::ca(), None, &[]);
        let leaf = |attrs: &[(&[u64], Vec<u8>)]| {
            forge(
                &key(KeyAlgorithm::EcdsaP256),
                raw_name(attrs),
                Usage::client(false),
                Some((&ca_key, &ca_name)),
                &[],
            )
        };
        let universal = vec![0x1c, 4, 0, 0, 0, b'u'];
        for (attrs, want) in [
            (
                vec![(cn, utf8("u")), (UID_OID, utf8(""))],
                "UID cannot be an empty string",
            ),
            (
                vec![(cn, utf8("u")), (UID_OID, universal)],
                "unable to parse UID into a string",
            ),
            (
                vec![(cn, utf8("u")), (UID_OID, utf8("a")), (UID_OID, utf8("b"))],
                "expected 1 UID, but found multiple: [a b]",
            ),
        ] {
            assert_eq!(judge(&leaf(&attrs), &root).unwrap_err(), want);
        }
        let bmp: Vec<u8> = [0x1e, 10, 0, b'a', 0, b'l', 0, b'i', 0, b'c', 0, b'e'].to_vec();
        let user = judge(&leaf(&[(cn, bmp), (UID_OID, utf8("id-1"))]), &root).unwrap();
        assert_eq!(
            (user.username.as_str(), user.uid.as_str()),
            ("alice", "id-1")
        );
    }

    /// Name constraints on a CA bind the SANs of the certificates below.
    #[test]
    fn name_constraints_follow_go() {
        let dns = |name: &str| {
            let name = name.to_string();
            yasna::construct_der(move |w| {
                w.write_sequence(|w| {
                    w.next().write_tagged_implicit(yasna::Tag::context(2), |w| {
                        w.write_ia5_string(&name)
                    })
                })
            })
        };
        let constraints = |tag: u64, name: &str| {
            let name = name.to_string();
            yasna::construct_der(move |w| {
                w.write_sequence(|w| {
                    w.next()
                        .write_tagged_implicit(yasna::Tag::context(tag), |w| {
                            w.write_sequence(|w| {
                                w.next().write_sequence(|w| {
                                    w.next().write_tagged_implicit(yasna::Tag::context(2), |w| {
                                        w.write_ia5_string(&name)
                                    })
                                })
                            })
                        })
                })
            })
        };
        let nc: &[u64] = &[2, 5, 29, 30];
        let san: &[u64] = &[2, 5, 29, 17];
        let ca_key = key(KeyAlgorithm::EcdsaP256);
        let ca_name = named("nc").to_der();
        for (tag, constraint, leaf_name, want) in [
            (0, "example.com", "a.example.com", None),
            (
                0,
                "example.com",
                "fooexample.com",
                Some("DNS name \"fooexample.com\" is not permitted by any constraint"),
            ),
            (
                0,
                ".example.com",
                "example.com",
                Some("DNS name \"example.com\" is not permitted by any constraint"),
            ),
            (
                1,
                "bad.com",
                "x.bad.com",
                Some("DNS name \"x.bad.com\" is excluded by constraint \"bad.com\""),
            ),
        ] {
            let root = forge(
                &ca_key,
                ca_name.clone(),
                Usage::ca(),
                None,
                &[(nc, true, constraints(tag, constraint))],
            );
            let leaf = forge(
                &key(KeyAlgorithm::EcdsaP256),
                named("u").to_der(),
                Usage::client(false),
                Some((&ca_key, &ca_name)),
                &[(san, false, dns(leaf_name))],
            );
            let got = judge(&leaf, &root);
            match want {
                None => assert!(got.is_ok(), "{leaf_name}: {got:?}"),
                Some(w) => assert_eq!(
                    got.unwrap_err(),
                    format!(
                        "x509: a root or intermediate certificate is not authorized to sign for this name: {w}"
                    )
                ),
            }
        }
    }
}
