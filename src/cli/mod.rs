//! The command-line layer: clap types, output and error rendering.
//! Each command is a thin function over library code.

pub mod commands;
pub mod complete;
pub mod connection;
pub mod error;
#[cfg(test)]
mod generated;
pub mod output;
pub mod password;
pub mod pki_io;
mod tree;

use clap::{Args, Parser, Subcommand};

pub use error::{CliError, CliResult};

#[derive(Debug, Parser)]
#[command(
    name = "kauth",
    version,
    about = "Kubernetes credentials and kubeconfig files",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, spelled as kubectl spells them.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file to use
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<String>,
    /// The name of the kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// The name of the kubeconfig cluster to use
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The name of the kubeconfig user to use
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// The namespace scope for this request
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Log level verbosity: 6 logs each request (method, URL, status, time),
    /// 7 its headers, 8 the bodies, 9 a curl command; credentials masked
    #[arg(short = 'v', long = "v", global = true, value_name = "LEVEL")]
    pub verbosity: Option<u8>,
    /// If true, opt-out of response compression for all requests to the
    /// server (accepted as kubectl accepts it; kauth never asks for
    /// compressed responses)
    #[arg(
        long,
        global = true,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub disable_compression: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Modify kubeconfig files, the way `kubectl config` does
    #[command(subcommand)]
    Config(commands::config::ConfigCommand),
    /// Private keys
    #[command(subcommand)]
    Key(commands::key::KeyCommand),
    /// Certificate signing requests
    #[command(subcommand)]
    Csr(commands::csr::CsrCommand),
    /// Client certificates: sign, issue, inspect
    #[command(subcommand)]
    Cert(commands::cert::CertCommand),
    /// A certificate authority for labs and tests
    #[command(subcommand)]
    Ca(commands::ca::CaCommand),
    /// Who the API server thinks you are, and what it lets you do
    #[command(subcommand)]
    Auth(commands::auth::AuthCommand),
    /// PKCS#12 bundles for browsers, keychains and Java
    #[command(subcommand)]
    P12(commands::p12::P12Command),
    /// Send one request to the API server or a kubelet, and explain a 401 or 403
    #[command(
        after_help = REQUEST_EXAMPLES
    )]
    Request(commands::request::RequestArgs),
    /// ServiceAccount tokens and kubeconfigs
    #[command(subcommand)]
    Sa(commands::sa::SaCommand),
    /// Bearer tokens: what a JWT says and who the server takes it for
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(
        after_help = COMPLETION_EXAMPLES
    )]
    Completion(CompletionArgs),
}

const REQUEST_EXAMPLES: &str = "Examples:\n  kauth request /api/v1/namespaces/test/pods\n  kauth request DELETE /api/v1/namespaces/test/pods/p1 -i\n  kauth request POST /api/v1/namespaces/test/configmaps -d @cm.json\n  kauth request --cert kfree.crt --key kfree.key /version\n  kauth request --kubelet 10.0.0.5 /metrics --token - < token";
const COMPLETION_EXAMPLES: &str = "Examples:\n  echo 'source <(kauth completion bash)' >> ~/.bashrc\n  echo 'source <(kauth completion zsh)' >> ~/.zshrc\n  kauth completion fish > ~/.config/fish/completions/kauth.fish\n  kauth completion powershell >> $PROFILE\n  kauth completion kubectl > ~/.local/bin/kubectl_complete-kauth && chmod +x ~/.local/bin/kubectl_complete-kauth\n\nContext, cluster and user names complete from the kubeconfig in effect.";

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell
    #[arg(value_parser = complete::SHELLS)]
    pub shell: String,
}

/// Parses the arguments, runs the command and returns the exit status.
pub fn main() -> i32 {
    restore_sigpipe();
    complete::complete_env();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match tree::command()
        .try_get_matches_from(&args)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(err) => return parse_error(err, &args),
    };
    let result = match cli.command {
        Command::Config(cmd) => commands::config::run(cmd, &cli.global),
        Command::Key(cmd) => commands::key::run(cmd),
        Command::Csr(cmd) => commands::csr::run(cmd),
        Command::Cert(cmd) => commands::cert::run(cmd, &cli.global),
        Command::Ca(cmd) => commands::ca::run(cmd),
        Command::Auth(cmd) => commands::auth::run(cmd, &cli.global),
        Command::P12(cmd) => commands::p12::run(cmd, &cli.global),
        Command::Request(args) => commands::request::run(args, &cli.global),
        Command::Sa(cmd) => commands::sa::run(cmd, &cli.global),
        Command::Token(cmd) => commands::token::run(cmd),
        Command::Completion(args) => {
            print!(
                "{}",
                complete::registration(&args.shell).unwrap_or_default()
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            let text = err.to_string();
            if !text.is_empty() {
                eprintln!("{text}");
            }
            err.code
        }
    }
}

/// A closed pipe ends kauth quietly, as it ends kubectl (`kauth config view | head`).
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default at start-up,
    // before any thread is spawned.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Prints a command-line error. Under `kauth config` flag errors read as
/// kubectl's (pflag's wording, status 1), so scripts see the same text.
fn parse_error(err: clap::Error, args: &[std::ffi::OsString]) -> i32 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let config_sub = words
        .iter()
        .position(|w| w == "config")
        .and_then(|i| words[i + 1..].iter().find(|w| !w.starts_with('-')).cloned());
    let kubectl_style = config_sub
        .as_deref()
        .is_some_and(|sub| !commands::config::CLAP_FLAG_ERRORS.contains(&sub))
        && !matches!(
            err.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        );
    if !kubectl_style {
        let _ = err.print();
        return err.exit_code();
    }
    let arg = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let flag = arg.split([' ', '=', '[']).next().unwrap_or("").to_string();
    let value = match err.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let message = match err.kind() {
        ErrorKind::UnknownArgument if flag.starts_with("--") => format!("unknown flag: {flag}"),
        ErrorKind::UnknownArgument if flag.starts_with('-') => {
            let c = flag.chars().nth(1).unwrap_or('-');
            format!("unknown shorthand flag: '{c}' in {flag}")
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("flag needs an argument: {flag}"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let cause = std::error::Error::source(&err)
                .map(|e| e.to_string())
                .unwrap_or_default();
            format!("invalid argument \"{value}\" for \"{flag}\" flag: {cause}")
        }
        _ => {
            let _ = err.print();
            return error::EXIT_KUBECTL;
        }
    };
    let sub = config_sub.unwrap_or_default();
    eprintln!("error: {message}\nSee 'kauth config {sub} --help' for usage.");
    error::EXIT_KUBECTL
}
