//! The token the server reads from `Authorization: Bearer <token>`.
//!
//! client-go sends the credential as `"Bearer " + token`, byte for byte;
//! kube-apiserver trims the header's surrounding white space, splits it at
//! single spaces into at most three parts and takes the second
//! (upstream: `apiserver/pkg/authentication/request/bearertoken`). So a
//! token with a leading space reaches the server empty and is ignored
//! (the request is anonymous, with a Warning), and one with an inner space
//! is cut at it.

/// What the server makes of the header a client sends for `token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bearer<'a> {
    /// The header holds no token: the request is treated as carrying none.
    Absent,
    /// `Bearer` followed by an empty part (the token began with a space):
    /// ignored, the request goes on without a token, with a warning.
    Empty,
    /// The token the authenticators see.
    Token(&'a str),
}

/// The Warning the server sends when it ignores a token after two spaces.
pub const EXTRA_SPACE_WARNING: &str = "the provided Authorization header contains extra space before the bearer token, and is ignored";

/// The server's reading of the `Authorization` header client-go sends for
/// `token`.
pub fn as_sent(token: &str) -> Bearer<'_> {
    // "Bearer " + token, trimmed: the prefix has no leading space, so only
    // the token's end and, when the token is all white space, the
    // separating space are trimmed.
    let value = token.trim_end_matches(char::is_whitespace);
    if value.is_empty() {
        return Bearer::Absent;
    }
    // parts[1] of SplitN("Bearer "+token, " ", 3).
    match value.split(' ').next() {
        Some("") | None => Bearer::Empty,
        Some(t) => Bearer::Token(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After `bearertoken_test.go`: the header value, then what the
    /// authenticator is given.
    #[test]
    fn the_server_reads_the_token_as_upstream_does() {
        let cases = [
            ("abc", Bearer::Token("abc")),
            ("abc ", Bearer::Token("abc")),
            ("abc\t\n", Bearer::Token("abc")),
            (" abc", Bearer::Empty),
            ("  ", Bearer::Absent),
            ("", Bearer::Absent),
            ("abc def", Bearer::Token("abc")),
            ("abc def ghi", Bearer::Token("abc")),
            ("a\tb", Bearer::Token("a\tb")),
            ("abc\u{a0}", Bearer::Token("abc")),
        ];
        for (token, want) in cases {
            assert_eq!(as_sent(token), want, "{token:?}");
        }
    }
}
