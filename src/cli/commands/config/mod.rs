//! `kauth config`: a drop-in for `kubectl config`, with kubectl's flags,
//! output, files and exit codes.

pub(crate) mod delete;
pub(crate) mod export;
pub(crate) mod get;
pub(crate) mod import;
pub(crate) mod lint;
pub(crate) mod prune;
pub(crate) mod set;
pub(crate) mod use_context;
pub(crate) mod view;

use clap::{Args, Subcommand};

use crate::cli::{CliError, CliResult, GlobalArgs};
use kauth_store::kubeconfig::{PathOptions, StoreError};

// Each command's examples, shared with the lazy tree (`cli/tree.rs`).
pub const EX_CURRENT_CONTEXT: &str = "Examples:\n  kauth config current-context";
pub const EX_VIEW: &str = "Examples:\n  kauth config view\n  kauth config view --minify --flatten\n  kauth config view -o jsonpath='{.users[?(@.name == \"e2e\")].user.password}'";
pub const EX_USE_CONTEXT: &str = "Examples:\n  kauth config use-context prod\n  kauth config use-context -          # the previous context\n  kauth config use-context            # pick on a terminal";
pub const EX_GET_CONTEXTS: &str = "Examples:\n  kauth config get-contexts\n  kauth config get-contexts -o name\n  kauth config get-contexts prod";
pub const EX_GET_CLUSTERS: &str = "Examples:\n  kauth config get-clusters";
pub const EX_GET_USERS: &str = "Examples:\n  kauth config get-users";
pub const EX_SET_CLUSTER: &str = "Examples:\n  kauth config set-cluster prod --server=https://1.2.3.4\n  kauth config set-cluster prod --certificate-authority=ca.crt --embed-certs\n  kauth config set-cluster prod --insecure-skip-tls-verify=true";
pub const EX_SET_CREDENTIALS: &str = "Examples:\n  kauth config set-credentials kfree --client-certificate=kfree.crt --client-key=kfree.key --embed-certs\n  kauth config set-credentials ci --token=$TOKEN\n  kauth config set-credentials sso --exec-command=kubelogin --exec-api-version=client.authentication.k8s.io/v1";
pub const EX_SET_CONTEXT: &str = "Examples:\n  kauth config set-context kfree@prod --cluster=prod --user=kfree --namespace=dev\n  kauth config set-context --current --namespace=kube-system";
pub const EX_SET: &str = "Examples:\n  kauth config set clusters.prod.server https://1.2.3.4\n  kauth config set users.kfree.client-key-data cert_data_here --set-raw-bytes=true";
pub const EX_UNSET: &str =
    "Examples:\n  kauth config unset current-context\n  kauth config unset contexts.foo.namespace";
pub const EX_DELETE_CONTEXT: &str = "Examples:\n  kauth config delete-context old\n  kauth config delete-context old --cascade   # and its cluster and user, when no other context uses them";
pub const EX_DELETE_CLUSTER: &str = "Examples:\n  kauth config delete-cluster old";
pub const EX_DELETE_USER: &str = "Examples:\n  kauth config delete-user old";
pub const EX_IMPORT: &str = "Examples:
  kauth config import ~/Downloads/admin.conf
  kauth config import kind.yaml k3s.yaml --rename-on-conflict
  kauth config import lab.conf --prefix lab- --dry-run
  aws eks update-kubeconfig --name prod --kubeconfig /dev/stdout | kauth config import -";
pub const EX_EXPORT: &str = "Examples:\n  kauth config export prod -o prod.kubeconfig\n  kauth config export dev staging -o team.kubeconfig --force\n  kauth config export prod --raw | ssh ci 'cat > ~/.kube/config'";
pub const EX_RENAME_CONTEXT: &str = "Examples:\n  kauth config rename-context old-name new-name";
pub const EX_PRUNE: &str = "Examples:\n  kauth config prune --dry-run\n  kauth config prune";
pub const EX_LINT: &str = "Examples:\n  kauth config lint\n  kauth config lint -o json --within 14d\n  kauth config lint --fix";

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Display the current-context
    #[command(after_help = EX_CURRENT_CONTEXT)]
    CurrentContext(get::CurrentContextArgs),
    /// Display merged kubeconfig settings or a specified kubeconfig file
    #[command(
        after_help = EX_VIEW
    )]
    View(view::ViewArgs),
    /// Set the current-context in a kubeconfig file
    #[command(
        visible_alias = "use",
        after_help = EX_USE_CONTEXT
    )]
    UseContext(use_context::UseContextArgs),
    /// Describe one or many contexts
    #[command(
        after_help = EX_GET_CONTEXTS
    )]
    GetContexts(get::GetContextsArgs),
    /// Display clusters defined in the kubeconfig
    #[command(after_help = EX_GET_CLUSTERS)]
    GetClusters(get::NoArgs),
    /// Display users defined in the kubeconfig
    #[command(after_help = EX_GET_USERS)]
    GetUsers(get::NoArgs),
    /// Set a cluster entry in kubeconfig
    #[command(
        after_help = EX_SET_CLUSTER
    )]
    SetCluster(set::SetClusterArgs),
    /// Set a user entry in kubeconfig
    #[command(
        after_help = EX_SET_CREDENTIALS
    )]
    SetCredentials(set::SetCredentialsArgs),
    /// Set a context entry in kubeconfig
    #[command(
        after_help = EX_SET_CONTEXT
    )]
    SetContext(set::SetContextArgs),
    /// Set an individual value in a kubeconfig file
    #[command(
        after_help = EX_SET
    )]
    Set(set::SetArgs),
    /// Unset an individual value in a kubeconfig file
    #[command(
        after_help = EX_UNSET
    )]
    Unset(set::UnsetArgs),
    /// Delete the specified context from the kubeconfig
    #[command(after_help = EX_DELETE_CONTEXT)]
    DeleteContext(delete::DeleteContextArgs),
    /// Delete the specified cluster from the kubeconfig
    #[command(after_help = EX_DELETE_CLUSTER)]
    DeleteCluster(delete::NameArgs),
    /// Delete the specified user from the kubeconfig
    #[command(after_help = EX_DELETE_USER)]
    DeleteUser(delete::NameArgs),
    /// Rename a context from the kubeconfig file
    #[command(after_help = EX_RENAME_CONTEXT)]
    RenameContext(delete::RenameArgs),
    /// Merge other kubeconfig files into this one, without losing an entry
    #[command(after_help = EX_IMPORT)]
    Import(import::ImportArgs),
    /// Write a self-contained kubeconfig for some contexts
    #[command(after_help = EX_EXPORT)]
    Export(export::ExportArgs),
    /// Delete the clusters and users no context uses
    #[command(after_help = EX_PRUNE)]
    Prune(prune::PruneArgs),
    /// Report broken references, unused and duplicate entries, missing or expiring credentials and exposed secrets
    #[command(after_help = EX_LINT)]
    Lint(lint::LintArgs),
}

pub fn run(cmd: ConfigCommand, global: &GlobalArgs) -> CliResult {
    let opts = PathOptions::from_env(global.kubeconfig.as_deref());
    match cmd {
        ConfigCommand::CurrentContext(_) => get::current_context(&opts),
        ConfigCommand::View(args) => view::run(&opts, global, args),
        ConfigCommand::UseContext(args) => use_context::run(&opts, args),
        ConfigCommand::GetContexts(args) => get::get_contexts(&opts, args),
        ConfigCommand::GetClusters(_) => get::get_clusters(&opts),
        ConfigCommand::GetUsers(_) => get::get_users(&opts),
        ConfigCommand::SetCluster(args) => set::set_cluster(&opts, args),
        ConfigCommand::SetCredentials(args) => set::set_credentials(&opts, args),
        ConfigCommand::SetContext(args) => set::set_context(&opts, global, args),
        ConfigCommand::Set(args) => set::set(&opts, args),
        ConfigCommand::Unset(args) => set::unset(&opts, args),
        ConfigCommand::DeleteContext(args) => delete::delete_context(&opts, args),
        ConfigCommand::DeleteCluster(args) => delete::delete_cluster(&opts, args),
        ConfigCommand::DeleteUser(args) => delete::delete_user(&opts, args),
        ConfigCommand::RenameContext(args) => delete::rename_context(&opts, args),
        ConfigCommand::Import(args) => import::run(&opts, args),
        ConfigCommand::Export(args) => export::run(&opts, args),
        ConfigCommand::Prune(args) => prune::run(&opts, args),
        ConfigCommand::Lint(args) => lint::run(&opts, args),
    }
}

/// Store errors print as kubectl prints them.
impl From<StoreError> for CliError {
    fn from(err: StoreError) -> Self {
        let several = matches!(err, StoreError::Several(_));
        let e = CliError::kubectl(err.to_string());
        if several { e.bare() } else { e }
    }
}

/// A store error in one of kauth's own `config` commands: printed as
/// kubectl prints it, with kauth's exit status for an error (2).
pub fn store_error(err: StoreError) -> CliError {
    CliError::from(err).code(crate::cli::error::EXIT_ERROR)
}

/// `config` commands whose flag errors are clap's, with kauth's exit
/// status (2): kauth's own commands whose status 1 means "findings".
pub const CLAP_FLAG_ERRORS: [&str; 2] = ["prune", "lint"];

/// Trailing words kubectl accepts and checks itself, so that the errors
/// match (`error: Unexpected args: [a b]`).
#[derive(Debug, Args, Clone, Default)]
pub struct Rest {
    #[arg(hide = true, num_args = 0.., allow_hyphen_values = false)]
    pub args: Vec<String>,
}

/// Go's `%v` of a string slice.
pub fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// kubectl prints the command's help and then this error.
pub fn help_error(command: &str, message: String) -> CliError {
    print_help(command);
    CliError::kubectl(message)
}

pub fn print_help(command: &str) {
    use clap::CommandFactory;
    let mut cli = crate::cli::Cli::command();
    if let Some(config) = cli.find_subcommand_mut("config")
        && let Some(sub) = config.find_subcommand_mut(command)
    {
        let _ = sub.print_help();
    }
}

/// pflag's boolean syntax (Go's `strconv.ParseBool`).
pub fn parse_bool(s: &str) -> Result<bool, String> {
    kauth_kubeconfig::edit::parse_go_bool(s)
        .ok_or_else(|| format!("strconv.ParseBool: parsing {s:?}: invalid syntax"))
}
