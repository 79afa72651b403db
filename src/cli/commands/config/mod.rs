//! `kauth config`: a drop-in for `kubectl config`, with kubectl's flags,
//! output, files and exit codes.

mod delete;
mod get;
mod set;
mod use_context;
mod view;

use clap::{Args, Subcommand};

use crate::cli::{CliError, CliResult, GlobalArgs};
use crate::store::kubeconfig::{PathOptions, StoreError};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Display the current-context
    CurrentContext(get::CurrentContextArgs),
    /// Display merged kubeconfig settings or a specified kubeconfig file
    View(view::ViewArgs),
    /// Set the current-context in a kubeconfig file
    #[command(visible_alias = "use")]
    UseContext(use_context::UseContextArgs),
    /// Describe one or many contexts
    GetContexts(get::GetContextsArgs),
    /// Display clusters defined in the kubeconfig
    GetClusters(get::NoArgs),
    /// Display users defined in the kubeconfig
    GetUsers(get::NoArgs),
    /// Set a cluster entry in kubeconfig
    SetCluster(set::SetClusterArgs),
    /// Set a user entry in kubeconfig
    SetCredentials(set::SetCredentialsArgs),
    /// Set a context entry in kubeconfig
    SetContext(set::SetContextArgs),
    /// Set an individual value in a kubeconfig file
    Set(set::SetArgs),
    /// Unset an individual value in a kubeconfig file
    Unset(set::UnsetArgs),
    /// Delete the specified context from the kubeconfig
    DeleteContext(delete::NameArgs),
    /// Delete the specified cluster from the kubeconfig
    DeleteCluster(delete::NameArgs),
    /// Delete the specified user from the kubeconfig
    DeleteUser(delete::NameArgs),
    /// Rename a context from the kubeconfig file
    RenameContext(delete::RenameArgs),
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
    crate::kubeconfig::edit::parse_go_bool(s)
        .ok_or_else(|| format!("strconv.ParseBool: parsing {s:?}: invalid syntax"))
}
