//! The static token file (`--token-auth-file`): CSV lines
//! `token,user,uid[,"group1,group2"]`.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authentication/token/tokenfile/tokenfile.go`
//! (`NewCSV`, `AuthenticateToken`); tests follow `TestTokenFile` in
//! `tokenfile_test.go`. As there: lines are Go CSV records, blank lines are
//! skipped, a record with an empty token is skipped, a later duplicate token
//! wins, and the fourth column is split at commas into groups.

use std::collections::HashMap;

use crate::user::UserInfo;
use kauth_formats::csv;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenFileError {
    #[error(
        "token file '{file}' must have at least 3 columns (token, user name, user uid), found {found}"
    )]
    Columns { file: String, found: usize },
    #[error("token file '{file}': {source}")]
    Csv {
        file: String,
        #[source]
        source: csv::CsvError,
    },
}

/// Tokens and the users they stand for. `Debug` shows no token.
#[derive(Clone, Default)]
pub struct TokenFile {
    tokens: HashMap<String, (UserInfo, usize)>,
    /// Warnings kube-apiserver would log (empty and duplicate tokens).
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for TokenFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenFile({} tokens)", self.tokens.len())
    }
}

impl TokenFile {
    /// Parses the text of a token file; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<TokenFile, TokenFileError> {
        let mut out = TokenFile::default();
        let records = csv::read_all(text).map_err(|source| TokenFileError::Csv {
            file: file.to_string(),
            source,
        })?;
        for (number, (line, record)) in records.into_iter().enumerate() {
            let number = number + 1;
            if record.len() < 3 {
                return Err(TokenFileError::Columns {
                    file: file.to_string(),
                    found: record.len(),
                });
            }
            if record[0].is_empty() {
                out.warnings.push(format!(
                    "empty token has been found in token file '{file}', record number '{number}'"
                ));
                continue;
            }
            let mut user = UserInfo {
                username: record[1].clone(),
                uid: record[2].clone(),
                ..UserInfo::default()
            };
            if record.len() >= 4 {
                user.groups = record[3].split(',').map(str::to_string).collect();
            }
            if out.tokens.insert(record[0].clone(), (user, line)).is_some() {
                out.warnings.push(format!(
                    "duplicate token has been found in token file '{file}', record number '{number}'"
                ));
            }
        }
        Ok(out)
    }

    /// The user of `token`, without the groups the server adds, and the
    /// line it is defined on.
    pub fn authenticate(&self, token: &str) -> Option<(&UserInfo, usize)> {
        self.tokens.get(token).map(|(u, line)| (u, *line))
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After `TestTokenFile` in upstream's `tokenfile_test.go`.
    #[test]
    fn users_and_groups_follow_upstream_table() {
        let f = TokenFile::parse(
            "token1,user1,uid1\ntoken2,user2,uid2\ntoken3,user3,uid3,\"group1,group2\"\ntoken4,user4,uid4,\"group2\"\ntoken5,user5,uid5,group5\ntoken6,user6,uid6,group5,otherdata\ntoken7,user7,uid7,\"group1,group2\",otherdata\n",
            "tokens.csv",
        )
        .unwrap();
        let user = |t: &str| {
            f.authenticate(t)
                .map(|(u, _)| (u.username.clone(), u.uid.clone(), u.groups.clone()))
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            user("token1"),
            Some(("user1".into(), "uid1".into(), vec![]))
        );
        assert_eq!(
            user("token2"),
            Some(("user2".into(), "uid2".into(), vec![]))
        );
        assert_eq!(
            user("token3"),
            Some(("user3".into(), "uid3".into(), s(&["group1", "group2"])))
        );
        assert_eq!(
            user("token4"),
            Some(("user4".into(), "uid4".into(), s(&["group2"])))
        );
        assert_eq!(
            user("token5"),
            Some(("user5".into(), "uid5".into(), s(&["group5"])))
        );
        assert_eq!(
            user("token6"),
            Some(("user6".into(), "uid6".into(), s(&["group5"])))
        );
        assert_eq!(
            user("token7"),
            Some(("user7".into(), "uid7".into(), s(&["group1", "group2"])))
        );
        assert_eq!(user("token8"), None);
        assert_eq!(f.authenticate("token5").unwrap().1, 5);
    }

    #[test]
    fn bad_files_follow_upstream() {
        let err = TokenFile::parse("token1,user1\n", "t.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "token file 't.csv' must have at least 3 columns (token, user name, user uid), found 2"
        );
        // Go's encoding/csv: the quote left open at the end of the text is
        // reported on the line it was opened on.
        let err = TokenFile::parse("a,b,\"c\n", "t.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "token file 't.csv': parse error on line 1, column 8: extraneous or missing \" in quoted-field"
        );
        let f = TokenFile::parse(",nobody,0\nt,first,1\nt,second,2\n", "t.csv").unwrap();
        assert_eq!(f.authenticate("t").unwrap().0.username, "second");
        assert_eq!(f.warnings.len(), 2);
        assert!(!format!("{f:?}").contains("second"));
    }
}
