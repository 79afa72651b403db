//! CEL as kube-apiserver evaluates it for `AuthenticationConfiguration`:
//! claim mappings and claim validation rules over `claims`, user validation
//! rules over `user`.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authentication/cel/compile.go`
//! (the variables) and `pkg/cel/environment/base.go` (the libraries). The
//! evaluator is the maintained `cel` crate (cel-rust), not a hand-written
//! one. What it covers of the server's environment:
//! - CEL's standard library with its macros (`has`, `all`, `exists`,
//!   `exists_one`, `map`, `filter`), `dyn`, `matches`, heterogeneous
//!   numeric equality;
//! - optional values (`claims.?acr.orValue('none')`, `optional.of`, ...);
//! - cel-go's strings extension (`lowerAscii`, `split`, `join`, ...).
//!
//! The Kubernetes libraries it lacks, and what else the server's
//! environment has (`sets`, `url`, `ip`, `cidr`, `quantity`, `semver`,
//! `format`, Kubernetes' `lists` and `regex`, two-variable comprehensions,
//! timestamps and durations) are named when an expression calls one,
//! never guessed: [`compile`] refuses it with the function and its library.
//!
//! The server type-checks expressions when it starts (`claims` is
//! `map(string, dyn)`); kauth does not, so an expression the server would
//! refuse to load for its static type alone is evaluated here.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value as Json;

/// Functions and operators the evaluator has, as the parser names them.
const SUPPORTED: &[&str] = &[
    // operators and macros' internals
    "_?_:_",
    "_&&_",
    "_||_",
    "!_",
    "-_",
    "_==_",
    "_!=_",
    "_<_",
    "_<=_",
    "_>_",
    "_>=_",
    "_+_",
    "_-_",
    "_*_",
    "_/_",
    "_%_",
    "_[_]",
    "_?._",
    "_[?_]",
    "@in",
    "@not_strictly_false",
    // the standard library
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "type",
    "dyn",
    // optional values
    "hasValue",
    "value",
    "or",
    "orValue",
    "of",
    "ofNonZeroValue",
    "none",
    // cel-go's strings extension
    "charAt",
    "indexOf",
    "lastIndexOf",
    "lowerAscii",
    "upperAscii",
    "replace",
    "split",
    "substring",
    "trim",
    "join",
    "quote",
    "reverse",
    "format",
];

/// The library of each function the server has and kauth does not.
const MISSING: &[(&str, &str)] = &[
    ("contains", "sets"),
    ("equivalent", "sets"),
    ("intersects", "sets"),
    ("url", "Kubernetes url"),
    ("isURL", "Kubernetes url"),
    ("getScheme", "Kubernetes url"),
    ("getHost", "Kubernetes url"),
    ("getHostname", "Kubernetes url"),
    ("getPort", "Kubernetes url"),
    ("getEscapedPath", "Kubernetes url"),
    ("getQuery", "Kubernetes url"),
    ("find", "Kubernetes regex"),
    ("findAll", "Kubernetes regex"),
    ("isSorted", "Kubernetes lists"),
    ("sum", "Kubernetes lists"),
    ("min", "Kubernetes lists"),
    ("max", "Kubernetes lists"),
    ("ip", "Kubernetes ip"),
    ("isIP", "Kubernetes ip"),
    ("family", "Kubernetes ip"),
    ("isCanonical", "Kubernetes ip"),
    ("isLoopback", "Kubernetes ip"),
    ("isUnspecified", "Kubernetes ip"),
    ("isGlobalUnicast", "Kubernetes ip"),
    ("isLinkLocalMulticast", "Kubernetes ip"),
    ("isLinkLocalUnicast", "Kubernetes ip"),
    ("cidr", "Kubernetes cidr"),
    ("isCIDR", "Kubernetes cidr"),
    ("containsIP", "Kubernetes cidr"),
    ("containsCIDR", "Kubernetes cidr"),
    ("masked", "Kubernetes cidr"),
    ("prefixLength", "Kubernetes cidr"),
    ("quantity", "Kubernetes quantity"),
    ("isQuantity", "Kubernetes quantity"),
    ("semver", "Kubernetes semver"),
    ("isSemver", "Kubernetes semver"),
    ("named", "Kubernetes format"),
    ("validate", "Kubernetes format"),
    ("transformList", "two-variable comprehensions"),
    ("transformMap", "two-variable comprehensions"),
    ("transformMapEntry", "two-variable comprehensions"),
    ("timestamp", "timestamps"),
    ("duration", "durations"),
    ("getFullYear", "timestamps"),
    ("getSeconds", "timestamps"),
];

/// The longest expression kauth parses. The parser stops at 96 levels of
/// nesting itself (cel-go at 250).
const MAX_LENGTH: usize = 16 * 1024;
/// The most operator characters (`.`, `+`, `!`, ...) an expression may
/// have: a flat chain of operators is as deep a tree as nesting, and the
/// tree is walked (and dropped) recursively. Claim mappings use a few dozen.
const MAX_OPERATORS: usize = 1000;
/// The parser and the evaluator recurse over the expression: both run on a
/// thread with this much stack, whatever the caller's thread has.
const STACK: usize = 64 << 20;

fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(scope, f)
            .expect("a thread for CEL")
            .join()
            .expect("CEL does not panic")
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CelError {
    #[error("expression '{expression}' does not compile: {message}")]
    Syntax { expression: String, message: String },
    #[error(
        "expression '{expression}' calls `{function}` ({library}), which kauth's CEL evaluator does not have: kauth cannot tell what the server would make of it"
    )]
    Unsupported {
        expression: String,
        function: String,
        library: String,
    },
}

/// A compiled expression.
#[derive(Clone)]
pub struct Expression {
    pub source: String,
    program: Arc<cel::Program>,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// What an expression gave, in the terms the authenticator checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Null,
    Bool(bool),
    String(String),
    List(Vec<Outcome>),
    /// Any other type, by its CEL name (`int`, `map`, ...).
    Other(String),
}

fn env() -> Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = cel::Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .expect("the strings extension declares no duplicate");
        Arc::new(env)
    })
    .clone()
}

/// Compiles `source`, refusing what kauth cannot evaluate as the server does.
pub fn compile(source: &str) -> Result<Expression, CelError> {
    let syntax = |message: String| CelError::Syntax {
        expression: source.to_string(),
        message,
    };
    if source.len() > MAX_LENGTH {
        return Err(syntax(format!("longer than {MAX_LENGTH} bytes")));
    }
    let operators = source
        .bytes()
        .filter(|b| b".+-*/%!&|?:<>=,[(".contains(b))
        .count();
    if operators > MAX_OPERATORS {
        return Err(syntax(format!(
            "more than {MAX_OPERATORS} operators: kauth does not evaluate expressions this large"
        )));
    }
    let program = on_big_stack(|| env().compile(source))
        .map_err(|e| syntax(e.to_string().lines().next().unwrap_or("").to_string()))?;
    let references = program.references();
    if references.has_variable("sets") {
        return Err(CelError::Unsupported {
            expression: source.to_string(),
            function: "sets.*".to_string(),
            library: "sets".to_string(),
        });
    }
    // In name order: the set the parser gives has none.
    let mut functions = references.functions();
    functions.sort_unstable();
    for function in functions {
        if SUPPORTED.contains(&function) {
            continue;
        }
        let library = MISSING
            .iter()
            .find(|(f, _)| *f == function)
            .map_or("not a function the server declares", |(_, l)| *l);
        return Err(CelError::Unsupported {
            expression: source.to_string(),
            function: function.to_string(),
            library: library.to_string(),
        });
    }
    Ok(Expression {
        source: source.to_string(),
        program: Arc::new(program),
    })
}

/// A JSON value as the server hands it to CEL: claims go through
/// `runtime.DefaultUnstructuredConverter`, which reads an integer literal
/// as `int64` and any other number as `float64`.
pub fn from_json(v: &Json) -> cel::Value {
    match v {
        Json::Null => cel::Value::Null,
        Json::Bool(b) => cel::Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => cel::Value::String(Arc::new(s.clone())),
        Json::Array(a) => cel::Value::List(Arc::new(a.iter().map(from_json).collect())),
        Json::Object(o) => {
            let map: HashMap<cel::objects::Key, cel::Value> = o
                .iter()
                .map(|(k, v)| (cel::objects::Key::String(Arc::new(k.clone())), from_json(v)))
                .collect();
            cel::Value::Map(cel::objects::Map { map: Arc::new(map) })
        }
    }
}

fn outcome(v: &cel::Value) -> Outcome {
    match v {
        cel::Value::Null => Outcome::Null,
        cel::Value::Bool(b) => Outcome::Bool(*b),
        cel::Value::String(s) => Outcome::String(s.to_string()),
        cel::Value::List(l) => Outcome::List(l.iter().map(outcome).collect()),
        other => Outcome::Other(other.type_of().to_string()),
    }
}

impl Expression {
    /// Evaluates with `vars` bound (`claims`, `user`), as cel-go reports
    /// an error (`no such key: email`).
    pub fn eval(&self, vars: &[(&str, &Json)]) -> Result<Outcome, String> {
        on_big_stack(|| {
            let mut ctx = cel::Context::with_env(env());
            for (name, value) in vars {
                ctx.add_variable_from_value(*name, from_json(value));
            }
            match self.program.execute(&ctx) {
                Ok(v) => Ok(outcome(&v)),
                Err(cel::ExecutionError::NoSuchKey(k)) => Err(format!("no such key: {k}")),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(source: &str, claims: &Json) -> Result<Outcome, String> {
        compile(source).unwrap().eval(&[("claims", claims)])
    }

    /// Every name kauth says it evaluates is there: each is called once.
    #[test]
    fn the_supported_functions_exist() {
        let calls = [
            "size('ab') == 2",
            "'abc'.contains('b')",
            "'abc'.startsWith('a')",
            "'abc'.endsWith('c')",
            "'abc'.matches('^a')",
            "int('1') == 1",
            "uint(1) == 1u",
            "double(1) == 1.0",
            "string(1) == '1'",
            "bytes('a') == b'a'",
            "bool('true')",
            "type(1) == int",
            "dyn(1) == 1",
            "optional.of(1).hasValue()",
            "optional.of(1).value() == 1",
            "optional.none().or(optional.of(2)).orValue(3) == 2",
            "optional.ofNonZeroValue(0).orValue(5) == 5",
            "'abc'.charAt(1) == 'b'",
            "'abc'.indexOf('c') == 2",
            "'abca'.lastIndexOf('a') == 3",
            "'aB'.lowerAscii() == 'ab'",
            "'aB'.upperAscii() == 'AB'",
            "'aa'.replace('a', 'b') == 'bb'",
            "'a,b'.split(',') == ['a', 'b']",
            "'abc'.substring(1) == 'bc'",
            "' a '.trim() == 'a'",
            "['a', 'b'].join('-') == 'a-b'",
            "strings.quote('a') == '\"a\"'",
            "'ab'.reverse() == 'ba'",
            "'%s'.format(['x']) == 'x'",
            "{'a': 1}.?a.orValue(0) == 1",
            "{'a': 1}[?'b'].orValue(0) == 0",
            "2 in [1, 2] && 1 - 1 == 0 && 2 * 3 % 4 / 1 == 2 && -1 < 0 && 1 <= 1 && 2 > 1 && 2 >= 2 && 1 != 2 && [1][0] == 1",
            "[1, 2].all(x, x > 0) && [1].exists(x, x == 1) && [1].exists_one(x, x == 1) && [1].map(x, x)[0] == 1 && [1].filter(x, x > 1) == []",
            "has({'a': 1}.a) ? true : false",
        ];
        for call in calls {
            assert_eq!(eval(call, &json!({})), Ok(Outcome::Bool(true)), "{call}");
        }
    }

    #[test]
    fn claims_are_typed_as_the_server_converts_them() {
        let claims = json!({"n": 3, "f": 1.0, "big": 18446744073709551615u64, "s": "x"});
        assert_eq!(eval("claims.n + 1 == 4", &claims), Ok(Outcome::Bool(true)));
        assert_eq!(
            eval("type(claims.f) == double", &claims),
            Ok(Outcome::Bool(true))
        );
        assert_eq!(
            eval("type(claims.big) == double", &claims),
            Ok(Outcome::Bool(true))
        );
        assert_eq!(eval("claims.s", &claims), Ok(Outcome::String("x".into())));
        assert_eq!(eval("claims.n", &claims), Ok(Outcome::Other("int".into())));
        assert_eq!(
            eval("claims.email", &claims),
            Err("no such key: email".into())
        );
        // Heterogeneous equality: a string is never `true`, and no error.
        assert_eq!(eval("claims.s != true", &claims), Ok(Outcome::Bool(true)));
    }

    #[test]
    fn what_kauth_lacks_is_named() {
        for (source, function, library) in [
            ("sets.equivalent(claims.aud, ['a'])", "sets.*", "sets"),
            ("sets.contains(claims.aud, ['a'])", "sets.*", "sets"),
            (
                "url(claims.iss).getHost() == 'x'",
                "getHost",
                "Kubernetes url",
            ),
            (
                "claims.x.unknownThing()",
                "unknownThing",
                "not a function the server declares",
            ),
        ] {
            match compile(source) {
                Err(CelError::Unsupported {
                    function: f,
                    library: l,
                    ..
                }) => assert_eq!((f.as_str(), l.as_str()), (function, library), "{source}"),
                other => panic!("{source}: {other:?}"),
            }
        }
    }

    #[test]
    fn hostile_expressions_are_refused_not_crashed_on() {
        assert!(matches!(compile("claims.("), Err(CelError::Syntax { .. })));
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(compile(&deep), Err(CelError::Syntax { .. })));
        for long in ["1 + ".repeat(5_000) + "1", "!".repeat(1_001) + "true"] {
            assert!(matches!(compile(&long), Err(CelError::Syntax { .. })));
        }
        // Under the length limit, but deep for a recursive parser.
        for chain in [
            "1 + ".repeat(999) + "1",
            "!".repeat(1_000) + "true",
            "-".repeat(1_000) + "1",
            "claims".to_string() + &".a".repeat(1_000),
        ] {
            if let Ok(e) = compile(&chain) {
                let _ = e.eval(&[("claims", &json!({}))]);
            }
        }
    }
}
