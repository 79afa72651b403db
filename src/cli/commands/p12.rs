//! `kauth p12`: PKCS#12 bundles for browsers, keychains and Java.

use clap::{Args, Subcommand};

use crate::cli::password::PasswordArgs;
use crate::cli::{CliError, CliResult, GlobalArgs, pki_io};
use kauth_pki::inspect;
use kauth_pki::p12::{self, Encryption};
use kauth_store::files::{self, Access, Output};
use kauth_store::kubeconfig::{self, PathOptions};

#[derive(Debug, Subcommand)]
pub enum P12Command {
    /// Bundle a certificate and its key into a .p12/.pfx file
    #[command(
        after_help = "Examples:\n  kauth p12 export --cert kfree.crt --key kfree.key --ca ca.crt -o kfree.p12\n  kauth p12 export --from-kubeconfig --user kfree --password-file pw.txt -o kfree.p12\n  kauth p12 export --cert k.crt --key k.key --profile modern --password-stdin -o k.p12 < pw.txt\n\nProfiles:\n  compat  PBE-SHA1-3DES, SHA-1 MAC: macOS Keychain, Windows (Server 2016 too), Firefox, Chrome, Java\n  modern  PBES2 AES-256-CBC, HMAC-SHA256 MAC: OpenSSL 3's default; refused by older macOS and Windows\n  legacy  RC2-40 certificates, 3DES key: very old systems; OpenSSL 3 needs -legacy"
    )]
    Export(ExportArgs),
    /// Show what a .p12/.pfx holds and who will refuse it
    #[command(after_help = "Examples:\n  kauth p12 inspect kfree.p12 --password-file pw.txt")]
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The client certificate (PEM; more certificates in it are added as a chain)
    #[arg(long, value_name = "FILE", required_unless_present = "from_kubeconfig")]
    pub cert: Option<String>,
    /// Its private key
    #[arg(long, value_name = "FILE", required_unless_present = "from_kubeconfig")]
    pub key: Option<String>,
    /// Take certificate and key from the kubeconfig user (--user, or the current context's)
    #[arg(long = "from-kubeconfig", conflicts_with_all = ["cert", "key"])]
    pub from_kubeconfig: bool,
    /// CA certificates to include (repeatable)
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<String>,
    /// The name keychains show (default: the certificate's CN)
    #[arg(long)]
    pub name: Option<String>,
    /// compat, modern or legacy
    #[arg(long, default_value = "compat", add = crate::cli::complete::values(&["compat", "modern", "legacy"]))]
    pub profile: Encryption,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Allow an empty password (macOS Keychain refuses such files)
    #[arg(long = "allow-empty-password")]
    pub allow_empty_password: bool,
    /// Where to write the bundle (mode 0600)
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: String,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The .p12/.pfx file
    pub file: String,
    #[command(flatten)]
    pub password: PasswordArgs,
}

pub fn run(cmd: P12Command, global: &GlobalArgs) -> CliResult {
    match cmd {
        P12Command::Export(args) => export(args, global),
        P12Command::Inspect(args) => inspect_file(args),
    }
}

fn export(args: ExportArgs, global: &GlobalArgs) -> CliResult {
    // Refuse early: nothing to ask for when the file is already there.
    files::check_writable(&[args.out.as_ref()], args.force)
        .map_err(|e| CliError::from_error(&e))?;
    let (mut certs, key) = if args.from_kubeconfig {
        let opts = PathOptions::from_env(global.kubeconfig.as_deref());
        let (pem, key_pem, source) = kubeconfig::client_certificate_and_key(
            &opts,
            global.user.as_deref(),
            global.context.as_deref(),
        )
        .map_err(|e| CliError::from_error(&e))?;
        let certs = kauth_pki::cert::certificates_from_pem(&pem)
            .map_err(|e| CliError::new(format!("{source}: {e}")))?;
        let key = kauth_pki::key::PrivateKey::from_pem(&String::from_utf8_lossy(&key_pem))
            .map_err(|e| CliError::new(format!("{source}: {e}")))?;
        (certs, key)
    } else {
        let (cert, key) = (
            args.cert.as_deref().unwrap_or_default(),
            args.key.as_deref().unwrap_or_default(),
        );
        (pki_io::read_certs(cert)?, pki_io::read_key(key)?)
    };
    let leaf_facts = inspect::facts(&certs[0]).map_err(|e| CliError::from_error(&e))?;
    let leaf_spki = x509_parser::parse_x509_certificate(&certs[0])
        .map(|(_, c)| c.public_key().raw.to_vec())
        .map_err(|e| CliError::new(e.to_string()))?;
    if key.public_key_der().map_err(|e| CliError::from_error(&e))? != leaf_spki {
        return Err(CliError::new(
            "the key does not match the certificate (their public keys differ)",
        ));
    }
    for ca in &args.ca {
        certs.extend(pki_io::read_certs(ca)?);
    }
    let password = args.password.read(true)?;
    if password.is_empty() && !args.allow_empty_password {
        return Err(CliError::new(
            "empty password refused: macOS Keychain will not import such a file",
        )
        .hint("pass --allow-empty-password if the file is not for macOS"));
    }
    let name = args.name.clone().or_else(|| {
        let cn = leaf_facts.subject_identity.common_name.clone();
        (!cn.is_empty()).then_some(cn)
    });
    let der = p12::export(args.profile, &password, &key, &certs, name.as_deref());
    files::write_all(
        &[Output {
            path: args.out.as_ref(),
            contents: &der,
            access: Access::Private,
        }],
        args.force,
    )
    .map_err(|e| CliError::from_error(&e))?;
    eprintln!(
        "wrote {} (mode 0600): {} certificate(s) and the key, profile {}",
        args.out,
        certs.len(),
        format!("{:?}", args.profile).to_lowercase()
    );
    if args.profile == Encryption::Legacy {
        eprintln!(
            "warning: the legacy profile uses RC2-40, which is weak; use it only for systems that need it"
        );
    }
    let report = p12::inspect(&der, &password).map_err(|e| CliError::from_error(&e))?;
    for who in report.refused_by(password.is_empty()) {
        eprintln!("note: refused by {who}");
    }
    Ok(())
}

fn inspect_file(args: InspectArgs) -> CliResult {
    let der = files::read_input(&args.file).map_err(|e| CliError::from_error(&e))?;
    let password = args.password.read(false)?;
    let report = p12::inspect(&der, &password)
        .map_err(|e| CliError::new(format!("`{}`: {e}", args.file)))?;
    match report.mac {
        Some((hash, iterations)) => println!(
            "MAC:            HMAC-{}, {iterations} iterations",
            hash.name().replace('-', "")
        ),
        None => println!("MAC:            none (integrity not protected)"),
    }
    let describe = |schemes: &[p12::Scheme]| {
        let mut names: Vec<String> = schemes.iter().map(|s| s.describe()).collect();
        names.dedup();
        if names.is_empty() {
            "-".to_string()
        } else {
            names.join("; ")
        }
    };
    println!("Certificates:   {}", describe(&report.certificate_schemes));
    println!("Key:            {}", describe(&report.key_schemes));
    match &report.key {
        Some(k) => println!("Key type:       {}", k.algorithm()),
        None => println!("Key type:       (no private key in the file)"),
    }
    let mut names = report.friendly_names.clone();
    names.dedup();
    println!(
        "Friendly name:  {}",
        if names.is_empty() {
            "-".into()
        } else {
            names.join(", ")
        }
    );
    for (i, der) in report.certificates.iter().enumerate() {
        match inspect::facts(der) {
            Ok(f) => println!(
                "Certificate {}:  {} (issuer {}), valid {} to {}",
                i + 1,
                f.subject,
                f.issuer,
                f.not_before,
                f.not_after
            ),
            Err(e) => println!("Certificate {}:  unreadable ({e})", i + 1),
        }
    }
    if let (Some(k), Some(first)) = (&report.key, report.certificates.first()) {
        let spki = x509_parser::parse_x509_certificate(first)
            .map(|(_, c)| c.public_key().raw.to_vec())
            .ok();
        let matches = k.public_key_der().ok() == spki;
        println!(
            "Key matches:    {}",
            if matches {
                "the first certificate"
            } else {
                "no certificate (check the bundle)"
            }
        );
    }
    let refused = report.refused_by(password.is_empty());
    if refused.is_empty() {
        println!(
            "Refused by:     nothing known (macOS Keychain, Windows, Firefox, Chrome and Java import it)"
        );
    } else {
        for (i, who) in refused.iter().enumerate() {
            println!(
                "{}{who}",
                if i == 0 {
                    "Refused by:     "
                } else {
                    "                "
                }
            );
        }
    }
    Ok(())
}
