//! The command tree as the parser sees it, built lazily: each command's
//! flags are added (clap's `Command::defer`) only when the parser enters
//! that command, so `kauth config current-context` pays for the root, the
//! `config` group and one command, not for the ~60 commands kauth has.
//!
//! The derive types (`Cli`, `Command`, `ConfigCommand`, ...) stay the one
//! definition of every flag and the way matches become values; this file
//! repeats only the names, one-line descriptions and examples of the
//! commands it defers, and a test holds it equal to `Cli::command()` (help,
//! usage and aliases of every command).

use clap::builder::{Resettable, StyledStr};
use clap::{Args, Command as ClapCommand, Subcommand};

use super::commands::{
    auth::AuthCommand, ca::CaCommand, cert::CertCommand, config, csr::CsrCommand, key::KeyCommand,
    p12::P12Command, request::RequestArgs, sa::SaCommand, token::TokenCommand,
};
use super::{CompletionArgs, GlobalArgs};

/// A command whose flags are its `Args` type's, built when entered.
fn leaf<A: Args>(name: &'static str, about: &'static str, after_help: &'static str) -> ClapCommand {
    let cmd = ClapCommand::new(name).about(about).long_about(None);
    let cmd = if after_help.is_empty() {
        cmd
    } else {
        cmd.after_help(after_help)
    };
    cmd.defer(|c| keep_texts(c, A::augment_args))
}

/// Runs `augment` keeping the texts set here: as in the derived tree, the
/// command's description is its own, not the doc comment of its `Args`.
fn keep_texts(cmd: ClapCommand, augment: fn(ClapCommand) -> ClapCommand) -> ClapCommand {
    let text = |t: Option<&StyledStr>| t.cloned().map_or(Resettable::Reset, Resettable::Value);
    let about = text(cmd.get_about());
    let long_about = text(cmd.get_long_about());
    let after_help = text(cmd.get_after_help());
    augment(cmd)
        .about(about)
        .long_about(long_about)
        .after_help(after_help)
}

/// A group of commands (`kauth cert ...`), built when entered.
fn group<S: Subcommand>(name: &'static str, about: &'static str) -> ClapCommand {
    ClapCommand::new(name)
        .about(about)
        .long_about(None)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .defer(|c| keep_texts(c, S::augment_subcommands))
}

/// The root: kauth's name, version and global flags, and every command.
pub fn command() -> ClapCommand {
    root().subcommands([
        config_group(config_commands().map(Leaf::deferred)),
        group::<KeyCommand>("key", "Private keys"),
        group::<CsrCommand>("csr", "Certificate signing requests"),
        group::<CertCommand>("cert", "Client certificates: sign, issue, inspect"),
        group::<CaCommand>("ca", "A certificate authority for labs and tests"),
        group::<AuthCommand>(
            "auth",
            "Who the API server thinks you are, and what it lets you do",
        ),
        group::<P12Command>("p12", "PKCS#12 bundles for browsers, keychains and Java"),
        leaf::<RequestArgs>(
            "request",
            "Send one request to the API server or a kubelet, and explain a 401 or 403",
            super::REQUEST_EXAMPLES,
        ),
        group::<SaCommand>("sa", "ServiceAccount tokens and kubeconfigs"),
        group::<TokenCommand>(
            "token",
            "Bearer tokens: what a JWT says and who the server takes it for",
        ),
        leaf::<CompletionArgs>(
            "completion",
            "Print the shell completion script (bash, zsh, fish, powershell, elvish)",
            super::COMPLETION_EXAMPLES,
        ),
    ])
}

/// The root with `config` and only its command `name` (what completing an
/// argument of that command needs to know); `None` when `config` has no
/// command of that name.
/// That command is built at once rather than deferred, so its own flags
/// come before the global ones in `get_arguments`, as in the derived tree
/// (clap_complete lists flags in that order where their display order
/// ties; help sorts them by name).
pub fn config_command_alone(name: &str) -> Option<ClapCommand> {
    let command = config_commands().into_iter().find(|c| c.name == name)?;
    Some(root().subcommand(config_group([command.built()])))
}

/// kauth's name, version and global flags.
fn root() -> ClapCommand {
    GlobalArgs::augment_args(ClapCommand::new("kauth"))
        .version(env!("CARGO_PKG_VERSION"))
        .about("Kubernetes credentials and kubeconfig files")
        .long_about(None)
        .propagate_version(true)
        .subcommand_required(true)
        .arg_required_else_help(true)
}

/// `kauth config`, the commands run most often (and from prompts and
/// completion): each of its commands is deferred too.
fn config_group(commands: impl IntoIterator<Item = ClapCommand>) -> ClapCommand {
    ClapCommand::new("config")
        .about("Modify kubeconfig files, the way `kubectl config` does")
        .long_about(None)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands(commands)
}

/// A `config` command, deferred in the tree or built for completion.
struct Leaf {
    name: &'static str,
    about: &'static str,
    after_help: &'static str,
    augment: fn(ClapCommand) -> ClapCommand,
    /// `augment` keeping the texts (`Command::defer` takes a function).
    deferred: fn(ClapCommand) -> ClapCommand,
    alias: Option<&'static str>,
}

impl Leaf {
    fn of<A: Args>(name: &'static str, about: &'static str, after_help: &'static str) -> Leaf {
        Leaf {
            name,
            about,
            after_help,
            augment: A::augment_args,
            deferred: |c| keep_texts(c, A::augment_args),
            alias: None,
        }
    }

    fn alias(self, alias: &'static str) -> Leaf {
        Leaf {
            alias: Some(alias),
            ..self
        }
    }

    fn head(&self) -> ClapCommand {
        let cmd = ClapCommand::new(self.name)
            .about(self.about)
            .long_about(None);
        let cmd = match self.alias {
            Some(alias) => cmd.visible_alias(alias),
            None => cmd,
        };
        if self.after_help.is_empty() {
            cmd
        } else {
            cmd.after_help(self.after_help)
        }
    }

    fn deferred(self) -> ClapCommand {
        self.head().defer(self.deferred)
    }

    fn built(self) -> ClapCommand {
        keep_texts(self.head(), self.augment)
    }
}

fn config_commands() -> [Leaf; 19] {
    use config::{delete, export, get, import, lint, prune, set, use_context, view};
    [
        Leaf::of::<get::CurrentContextArgs>(
            "current-context",
            "Display the current-context",
            config::EX_CURRENT_CONTEXT,
        ),
        Leaf::of::<view::ViewArgs>(
            "view",
            "Display merged kubeconfig settings or a specified kubeconfig file",
            config::EX_VIEW,
        ),
        Leaf::of::<use_context::UseContextArgs>(
            "use-context",
            "Set the current-context in a kubeconfig file",
            config::EX_USE_CONTEXT,
        )
        .alias("use"),
        Leaf::of::<get::GetContextsArgs>(
            "get-contexts",
            "Describe one or many contexts",
            config::EX_GET_CONTEXTS,
        ),
        Leaf::of::<get::NoArgs>(
            "get-clusters",
            "Display clusters defined in the kubeconfig",
            config::EX_GET_CLUSTERS,
        ),
        Leaf::of::<get::NoArgs>(
            "get-users",
            "Display users defined in the kubeconfig",
            config::EX_GET_USERS,
        ),
        Leaf::of::<set::SetClusterArgs>(
            "set-cluster",
            "Set a cluster entry in kubeconfig",
            config::EX_SET_CLUSTER,
        ),
        Leaf::of::<set::SetCredentialsArgs>(
            "set-credentials",
            "Set a user entry in kubeconfig",
            config::EX_SET_CREDENTIALS,
        ),
        Leaf::of::<set::SetContextArgs>(
            "set-context",
            "Set a context entry in kubeconfig",
            config::EX_SET_CONTEXT,
        ),
        Leaf::of::<set::SetArgs>(
            "set",
            "Set an individual value in a kubeconfig file",
            config::EX_SET,
        ),
        Leaf::of::<set::UnsetArgs>(
            "unset",
            "Unset an individual value in a kubeconfig file",
            config::EX_UNSET,
        ),
        Leaf::of::<delete::DeleteContextArgs>(
            "delete-context",
            "Delete the specified context from the kubeconfig",
            config::EX_DELETE_CONTEXT,
        ),
        Leaf::of::<delete::NameArgs>(
            "delete-cluster",
            "Delete the specified cluster from the kubeconfig",
            config::EX_DELETE_CLUSTER,
        ),
        Leaf::of::<delete::NameArgs>(
            "delete-user",
            "Delete the specified user from the kubeconfig",
            config::EX_DELETE_USER,
        ),
        Leaf::of::<delete::RenameArgs>(
            "rename-context",
            "Rename a context from the kubeconfig file",
            config::EX_RENAME_CONTEXT,
        ),
        Leaf::of::<import::ImportArgs>(
            "import",
            "Merge other kubeconfig files into this one, without losing an entry",
            config::EX_IMPORT,
        ),
        Leaf::of::<export::ExportArgs>(
            "export",
            "Write a self-contained kubeconfig for some contexts",
            config::EX_EXPORT,
        ),
        Leaf::of::<prune::PruneArgs>(
            "prune",
            "Delete the clusters and users no context uses",
            config::EX_PRUNE,
        ),
        Leaf::of::<lint::LintArgs>(
            "lint",
            "Report broken references, unused and duplicate entries, missing or expiring credentials and exposed secrets",
            config::EX_LINT,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every command's help, usage and aliases, depth first.
    /// (`kauth help <command>` is built on demand, from the command itself,
    /// and is left out.)
    fn describe(cmd: &mut clap::Command, path: &str, out: &mut Vec<String>) {
        let path = format!("{path} {}", cmd.get_name());
        if path.starts_with(" kauth help ") {
            return;
        }
        out.push(format!(
            "{path}\n{}\n{}\naliases: {:?}",
            cmd.render_long_help(),
            cmd.render_usage(),
            cmd.get_all_aliases().collect::<Vec<_>>()
        ));
        for sub in cmd.get_subcommands_mut() {
            describe(sub, &path, out);
        }
    }

    #[test]
    fn the_lazy_tree_is_the_derived_tree() {
        let mut derived = super::super::Cli::command();
        derived.build();
        let mut lazy = super::command();
        lazy.build();
        let (mut want, mut have) = (Vec::new(), Vec::new());
        describe(&mut derived, "", &mut want);
        describe(&mut lazy, "", &mut have);
        let names = |v: &[String]| {
            v.iter()
                .map(|d| d.lines().next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        similar_asserts(&names(&have), &names(&want));
        for (h, w) in have.iter().zip(&want) {
            similar_asserts(h, w);
        }
    }

    fn similar_asserts(have: &str, want: &str) {
        if have != want {
            let diff = similar::TextDiff::from_lines(want, have);
            panic!(
                "the lazy tree differs from the derived one:\n{}",
                diff.unified_diff()
            );
        }
    }

    #[test]
    fn only_the_command_run_is_built() {
        let mut lazy = super::command();
        let m = lazy
            .try_get_matches_from_mut(["kauth", "config", "current-context"])
            .unwrap();
        assert_eq!(m.subcommand_name(), Some("config"));
        let cert = lazy.find_subcommand("cert").unwrap();
        assert_eq!(cert.get_subcommands().count(), 0, "cert was built");
        let config = lazy.find_subcommand("config").unwrap();
        let view = config.find_subcommand("view").unwrap();
        assert!(
            view.get_arguments().all(|a| a.get_id() != "minify"),
            "config view was built"
        );
    }
}
