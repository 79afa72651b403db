//! File references inside a kubeconfig, and the path arithmetic kubectl
//! applies to them (Go's `path/filepath` on Unix).
//!
//! Upstream: `ResolvePaths`, `RelativizePathWithNoBacksteps`,
//! `GetClusterFileReferences`, `GetAuthInfoFileReferences` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/loader.go`.

use super::model::{AuthInfo, Cluster};

/// Go's `filepath.Clean`.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

pub fn is_abs(path: &str) -> bool {
    path.starts_with('/')
}

/// Go's `filepath.Join` of two elements.
pub fn join(base: &str, path: &str) -> String {
    if base.is_empty() {
        return clean(path);
    }
    if path.is_empty() {
        return clean(base);
    }
    clean(&format!("{base}/{path}"))
}

/// Go's `filepath.Abs` with the working directory given.
pub fn abs(cwd: &str, path: &str) -> String {
    if is_abs(path) {
        clean(path)
    } else {
        join(cwd, path)
    }
}

/// Go's `filepath.Dir`.
pub fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".to_string(),
    }
}

/// Go's `filepath.Rel` for two absolute paths.
pub fn rel(base: &str, target: &str) -> String {
    let base = clean(base);
    let target = clean(target);
    if base == target {
        return ".".to_string();
    }
    let split = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let b = split(&base);
    let t = split(&target);
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut out: Vec<String> = vec!["..".to_string(); b.len() - common];
    out.extend(t[common..].iter().cloned());
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

fn cluster_refs(cluster: &mut Cluster) -> Vec<&mut String> {
    vec![&mut cluster.certificate_authority]
}

fn auth_info_refs(user: &mut AuthInfo) -> Vec<&mut String> {
    let mut refs = vec![
        &mut user.client_certificate,
        &mut user.client_key,
        &mut user.token_file,
    ];
    // Only a command given as a path is resolved, not one found on PATH.
    if let Some(exec) = user.exec.as_mut()
        && exec.command.contains('/')
    {
        refs.push(&mut exec.command);
    }
    refs
}

/// Makes relative references absolute against `base`.
fn resolve(refs: Vec<&mut String>, base: &str) {
    for r in refs {
        if !r.is_empty() && !is_abs(r) {
            *r = join(base, r);
        }
    }
}

/// Makes references relative to `base` unless that needs `..`.
fn relativize(refs: Vec<&mut String>, base: &str) {
    for r in refs {
        if r.is_empty() {
            continue;
        }
        let relative = rel(base, r);
        if !relative.starts_with("..") {
            *r = relative;
        }
    }
}

/// client-go's `RelativizeClusterLocalPaths`: `base` is the absolute
/// directory of the file the cluster is written to.
pub fn relativize_cluster(cluster: &mut Cluster, base: &str) {
    resolve(cluster_refs(cluster), base);
    relativize(cluster_refs(cluster), base);
}

/// client-go's `RelativizeAuthInfoLocalPaths`.
pub fn relativize_auth_info(user: &mut AuthInfo, base: &str) {
    resolve(auth_info_refs(user), base);
    relativize(auth_info_refs(user), base);
}

/// Resolves every file reference of a cluster against `base` (the
/// directory of the file it was read from), as `--flatten` and clients do.
pub fn resolve_cluster(cluster: &mut Cluster, base: &str) {
    resolve(cluster_refs(cluster), base);
}

pub fn resolve_auth_info(user: &mut AuthInfo, base: &str) {
    resolve(auth_info_refs(user), base);
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases follow Go's path/filepath tests (TestClean, TestRel).
    #[test]
    fn clean_matches_go() {
        for (input, want) in [
            ("", "."),
            ("abc/../..", ".."),
            ("/../abc", "/abc"),
            ("a//b/./c/", "a/b/c"),
            ("../../x", "../../x"),
            ("/", "/"),
        ] {
            assert_eq!(clean(input), want, "{input}");
        }
    }

    #[test]
    fn rel_matches_go() {
        for (base, target, want) in [
            ("/a/b", "/a/b/c/d", "c/d"),
            ("/a/b/c", "/a/b", ".."),
            ("/a/b", "/a/b", "."),
            ("/a/b/c", "/a/x/y", "../../x/y"),
            ("/", "/a", "a"),
        ] {
            assert_eq!(rel(base, target), want, "{base} {target}");
        }
    }

    #[test]
    fn relativize_keeps_absolute_paths_that_need_backsteps() {
        let mut c = Cluster {
            certificate_authority: "/etc/ca.crt".into(),
            ..Cluster::default()
        };
        relativize_cluster(&mut c, "/home/u/.kube");
        assert_eq!(c.certificate_authority, "/etc/ca.crt");
        c.certificate_authority = "/home/u/.kube/certs/ca.crt".into();
        relativize_cluster(&mut c, "/home/u/.kube");
        assert_eq!(c.certificate_authority, "certs/ca.crt");
    }
}
