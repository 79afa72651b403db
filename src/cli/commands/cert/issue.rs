//! `kauth cert issue`: key and CA-signed client certificate in one step,
//! optionally written into the kubeconfig.

use std::path::{Path, PathBuf};

use clap::Args;
use time::{Duration, OffsetDateTime};

use super::IdentityArgs;
use super::sign::{DEFAULT_VALIDITY, load_ca, report};
use crate::cli::{CliError, CliResult, GlobalArgs, pki_io};
use kauth_kubeconfig::edit::{self, ContextEdit, CredentialsEdit, FileValue};
use kauth_pki::cert;
use kauth_pki::key::{KeyAlgorithm, PrivateKey};
use kauth_store::files::{self, Access, Output};
use kauth_store::kubeconfig::{PathOptions, modify};
use kauth_store::local_ca;

#[derive(Debug, Args)]
pub struct IssueArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// The CA certificate (default: kauth's local CA, created on first use)
    #[arg(long, value_name = "FILE", requires = "ca_key")]
    pub ca: Option<String>,
    /// The CA's private key
    #[arg(long = "ca-key", value_name = "FILE", requires = "ca")]
    pub ca_key: Option<String>,
    /// Validity in days
    #[arg(long, conflicts_with = "ttl")]
    pub days: Option<u32>,
    /// Validity as a duration (24h, 30d, ...)
    #[arg(long, value_parser = pki_io::parse_duration)]
    pub ttl: Option<Duration>,
    /// Key algorithm: rsa, ecdsa-p256, ecdsa-p384 or ed25519
    #[arg(long, default_value = "ecdsa-p256")]
    pub algorithm: String,
    /// RSA key size
    #[arg(long, default_value_t = 2048)]
    pub bits: usize,
    /// Directory for NAME.key and NAME.crt
    #[arg(long = "out-dir", value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Base name of the files (default: the user name)
    #[arg(long)]
    pub name: Option<String>,
    /// Overwrite existing files
    #[arg(long)]
    pub force: bool,
    /// Also write the certificate and key, embedded, as this kubeconfig user
    #[arg(long = "set-credentials", value_name = "NAME")]
    pub set_credentials: Option<String>,
    /// Also create or update this context for the user (with --cluster)
    #[arg(
        long = "set-context",
        value_name = "NAME",
        requires = "set_credentials"
    )]
    pub set_context: Option<String>,
}

/// A file name from a user name (`system:node:n1` -> `system-node-n1`).
pub(super) fn file_stem(cn: &str) -> String {
    cn.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

pub fn run(args: IssueArgs, global: &GlobalArgs) -> CliResult {
    let subject = args.identity.subject()?;
    let alg = KeyAlgorithm::parse(&args.algorithm, args.bits)
        .map_err(|e| CliError::new(format!("--algorithm: {e}")))?;
    let stem = args
        .name
        .clone()
        .unwrap_or_else(|| file_stem(&subject.common_name));
    let in_dir = |ext: &str| {
        let file = format!("{stem}.{ext}");
        if args.out_dir == Path::new(".") {
            PathBuf::from(file)
        } else {
            args.out_dir.join(file)
        }
    };
    let key_path = in_dir("key");
    let cert_path = in_dir("crt");
    // Refuse before making anything: no CA is created, no key generated.
    files::check_writable(&[&key_path, &cert_path], args.force)
        .map_err(|e| CliError::from_error(&e))?;
    let now = OffsetDateTime::now_utc();
    let (ca, ca_path) = match (&args.ca, &args.ca_key) {
        (Some(c), Some(k)) => (load_ca(c, k)?, c.clone()),
        _ => {
            let (ca, dir, created) =
                local_ca::load_or_create(now).map_err(|e| CliError::from_error(&e))?;
            if created {
                eprintln!("created kauth's local CA in {} (first use)", dir.display());
            }
            (ca, dir.join(local_ca::CA_CERT).display().to_string())
        }
    };
    let key = PrivateKey::generate(alg).map_err(|e| CliError::from_error(&e))?;
    let spki = key.public_key_der().map_err(|e| CliError::from_error(&e))?;
    let validity = pki_io::validity(args.days, args.ttl, DEFAULT_VALIDITY);
    let der = ca
        .sign_client(subject.to_der(), &spki, now, validity)
        .map_err(|e| CliError::from_error(&e))?;
    let cert_pem = cert::to_pem("CERTIFICATE", &der);
    let key_pem = key.to_pem();
    files::write_all(
        &[
            Output {
                path: &key_path,
                contents: key_pem.as_bytes(),
                access: Access::Private,
            },
            Output {
                path: &cert_path,
                contents: cert_pem.as_bytes(),
                access: Access::Public,
            },
        ],
        args.force,
    )
    .map_err(|e| CliError::from_error(&e))?;
    eprintln!(
        "wrote {} ({alg}, mode 0600) and {}",
        key_path.display(),
        cert_path.display()
    );
    report(&der, &ca, &ca_path, now);
    if let Some(user) = &args.set_credentials {
        write_kubeconfig(
            global,
            user,
            args.set_context.as_deref(),
            cert_pem.as_bytes(),
            key_pem.as_bytes(),
        )?;
    }
    println!("{}", cert_path.display());
    Ok(())
}

/// The same edit as `kauth config set-credentials NAME --embed-certs`, and
/// `set-context NAME --cluster C --user NAME`.
pub(super) fn write_kubeconfig(
    global: &GlobalArgs,
    user: &str,
    context: Option<&str>,
    cert: &[u8],
    key: &[u8],
) -> CliResult {
    let opts = PathOptions::from_env(global.kubeconfig.as_deref());
    let creds = CredentialsEdit {
        client_certificate: Some(FileValue::Embedded(cert.to_vec())),
        client_key: Some(FileValue::Embedded(key.to_vec())),
        ..CredentialsEdit::default()
    };
    let ctx = ContextEdit {
        cluster: global.cluster.clone(),
        user: Some(user.to_string()),
        namespace: global.namespace.clone(),
    };
    modify(&opts, true, |config| {
        let existing = config.auth_infos.remove(user).unwrap_or_default();
        config
            .auth_infos
            .insert(user.to_string(), edit::modify_auth_info(existing, &creds));
        if let Some(name) = context {
            let existing = config.contexts.remove(name).unwrap_or_default();
            config
                .contexts
                .insert(name.to_string(), edit::modify_context(existing, &ctx));
        }
        Ok::<_, CliError>(())
    })?;
    let file = opts
        .explicit
        .clone()
        .unwrap_or_else(|| opts.default_filename());
    eprintln!(
        "kubeconfig {}: user {user:?} set",
        Path::new(&file).display()
    );
    if let Some(name) = context {
        eprintln!(
            "kubeconfig {}: context {name:?} set",
            Path::new(&file).display()
        );
    }
    Ok(())
}
