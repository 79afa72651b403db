//! Client certificate authentication, as kube-apiserver does it.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authentication/request/x509/x509.go`
//! (`Authenticator`, `CommonNameUserConversion`, the UID attribute) and the
//! Go standard library's `crypto/x509/verify.go` (`Certificate.Verify`,
//! `buildChains`, `isValid`, `CheckSignatureFrom`, `checkChainForKeyUsage`),
//! whose rules decide which certificates the server accepts. Error texts
//! are Go's, so they can be matched against server logs.

use kauth_formats::time::rfc3339;
use std::collections::BTreeMap;

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use crate::user::{CREDENTIAL_ID_KEY, UserInfo};
use kauth_pki::name::{Subject, UID_OID};

const OID_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];
const OID_ANY_EKU: &[u64] = &[2, 5, 29, 37, 0];
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
    #[error("x509: malformed certificate: {0}")]
    Malformed(String),
}

/// A certificate with the facts verification needs.
#[derive(Debug, Clone)]
pub struct Cert {
    pub der: Vec<u8>,
    pub subject: Subject,
    raw_subject: Vec<u8>,
    raw_issuer: Vec<u8>,
    version: u32,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    /// `Some(is_ca, max_path_len)` when basic constraints are present.
    basic_constraints: Option<(bool, Option<u32>)>,
    key_usage_cert_sign: Option<bool>,
    ext_key_usage: Option<Vec<Vec<u64>>>,
    unhandled_critical: bool,
    subject_key_id: Vec<u8>,
    authority_key_id: Vec<u8>,
    serial: String,
    signature_algorithm: Vec<u64>,
}

impl Cert {
    pub fn from_der(der: &[u8]) -> Result<Cert, VerifyError> {
        let (_, c) =
            X509Certificate::from_der(der).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let mut cert = Cert {
            der: der.to_vec(),
            subject: Subject::from_x509(c.subject()),
            raw_subject: c.subject().as_raw().to_vec(),
            raw_issuer: c.issuer().as_raw().to_vec(),
            version: c.version().0 + 1,
            not_before: c.validity().not_before.to_datetime(),
            not_after: c.validity().not_after.to_datetime(),
            basic_constraints: None,
            key_usage_cert_sign: None,
            ext_key_usage: None,
            unhandled_critical: false,
            subject_key_id: Vec::new(),
            authority_key_id: Vec::new(),
            serial: c.tbs_certificate.serial.to_string(),
            signature_algorithm: c
                .signature_algorithm
                .algorithm
                .iter()
                .map(|i| i.collect())
                .unwrap_or_default(),
        };
        for ext in c.extensions() {
            let oid: Vec<u64> = ext.oid.iter().map(|i| i.collect()).unwrap_or_default();
            if ext.critical && !HANDLED_CRITICAL.contains(&oid.as_slice()) {
                cert.unhandled_critical = true;
            }
            match ext.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => {
                    cert.basic_constraints = Some((bc.ca, bc.path_len_constraint))
                }
                ParsedExtension::KeyUsage(ku) => {
                    cert.key_usage_cert_sign = Some(ku.key_cert_sign())
                }
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
                        list.push(other.iter().map(|i| i.collect()).unwrap_or_default());
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
                _ => {}
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

    /// Go's `CheckSignatureFrom`: the parent must be allowed to sign, the
    /// algorithm must not be SHA-1 or MD5, and the signature must verify.
    fn check_signature_from(&self, parent: &Cert) -> Result<(), String> {
        if (parent.version == 3 && parent.basic_constraints.is_none())
            || matches!(parent.basic_constraints, Some((false, _)))
        {
            return Err(
                "x509: invalid signature: parent certificate cannot sign this kind of certificate"
                    .into(),
            );
        }
        if parent.key_usage_cert_sign == Some(false) {
            return Err(
                "x509: invalid signature: parent certificate cannot sign this kind of certificate"
                    .into(),
            );
        }
        let insecure = match self.signature_algorithm.as_slice() {
            [1, 2, 840, 113549, 1, 1, 5] => Some("SHA1-RSA"),
            [1, 2, 840, 10045, 4, 1] => Some("ECDSA-SHA1"),
            [1, 2, 840, 113549, 1, 1, 4] => Some("MD5-RSA"),
            _ => None,
        };
        if let Some(name) = insecure {
            return Err(format!(
                "x509: cannot verify signature: insecure algorithm {name}"
            ));
        }
        let (_, child) = X509Certificate::from_der(&self.der).map_err(|e| e.to_string())?;
        let (_, p) = X509Certificate::from_der(&parent.der).map_err(|e| e.to_string())?;
        child
            .verify_signature(Some(p.public_key()))
            .map_err(|_| "x509: signature verification failure".to_string())
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
    let good: Vec<Vec<&Cert>> = chains
        .into_iter()
        .filter(|c| chain_allows_client_auth(c))
        .collect();
    if good.is_empty() {
        return Err(VerifyError::IncompatibleUsage);
    }
    Ok(good)
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
    // As in Go, a failed search above an intermediate is the error
    // reported when nothing else builds.
    let mut deeper: Option<VerifyError> = None;
    let candidates = potential_parents(child, roots)
        .into_iter()
        .map(|c| (Kind::Root, c))
        .chain(
            potential_parents(child, intermediates)
                .into_iter()
                .map(|c| (Kind::Intermediate, c)),
        );
    for (kind, candidate) in candidates {
        if chain.iter().any(|c| c.der == candidate.der) {
            continue;
        }
        *checks += 1;
        if *checks > 100 {
            return Err(VerifyError::Malformed(
                "signature check attempts limit reached while verifying certificate chain".into(),
            ));
        }
        if let Err(e) = child.check_signature_from(candidate) {
            hint.get_or_insert((e, candidate.display_name()));
            continue;
        }
        if let Err(e) = candidate.is_valid(kind, &chain, now) {
            hint.get_or_insert((e.to_string(), candidate.display_name()));
            continue;
        }
        let mut next = chain.clone();
        next.push(candidate);
        match kind {
            Kind::Root => chains.push(next),
            _ => match build_chains(next, intermediates, roots, now, checks) {
                Ok(more) => {
                    chains.extend(more);
                    deeper = None;
                }
                Err(e) => deeper = Some(e),
            },
        }
    }
    if chains.is_empty() {
        return Err(deeper.unwrap_or(VerifyError::UnknownAuthority { hint }));
    }
    Ok(chains)
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

/// Why a verified certificate still gives no user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error(
        "the certificate has an empty CommonName: the API server does not authenticate it (no user)"
    )]
    EmptyCommonName,
    #[error("expected 1 UID, but found multiple UIDs")]
    MultipleUids,
}

/// `CommonNameUserConversion`: CN is the user, every O a group, the UID
/// attribute the UID, and the credential ID the certificate's SHA-256.
pub fn user_from_certificate(leaf: &Cert) -> Result<UserInfo, UserError> {
    if leaf.subject.common_name.is_empty() {
        return Err(UserError::EmptyCommonName);
    }
    let (_, c) = X509Certificate::from_der(&leaf.der).map_err(|_| UserError::EmptyCommonName)?;
    let uids = c
        .subject()
        .iter_attributes()
        .filter(|a| {
            a.attr_type()
                .iter()
                .map(|i| i.collect::<Vec<u64>>())
                .as_deref()
                == Some(UID_OID)
        })
        .count();
    if uids > 1 {
        return Err(UserError::MultipleUids);
    }
    let fingerprint = kauth_pki::cert::sha256_hex(&leaf.der);
    Ok(UserInfo {
        username: leaf.subject.common_name.clone(),
        uid: leaf.subject.uid.clone().unwrap_or_default(),
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
            "x509: certificate signed by unknown authority (possibly because of \"x509: signature verification failure\" while trying to verify candidate authority certificate \"root\")"
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
            "x509: certificate signed by unknown authority (possibly because of \"x509: certificate has expired or is not yet valid: current time 2026-11-23T12:00:00Z is after 2026-11-22T12:00:00Z\" while trying to verify candidate authority certificate \"old\")"
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
}
