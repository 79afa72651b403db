//! The functions a template may call: Go's builtins (`funcs.go`) and the
//! two kubectl adds (`exists`, `base64decode`, from cli-runtime's
//! printers). Each has Go's signature, which decides how its arguments
//! are checked, and Go's error texts.

use std::borrow::Cow;

use super::fmt;
use super::value::{NULL, Value};

/// A parameter's Go type, as far as argument evaluation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Param {
    /// `reflect.Value`: the argument as it is, interface and all.
    Value,
    /// `interface{}`.
    Any,
    String,
    /// No type (a chain's receiver).
    Untyped,
}

pub(super) struct Signature {
    pub fixed: &'static [Param],
    pub variadic: Option<Param>,
}

const NAMES: [&str; 20] = [
    "and",
    "base64decode",
    "call",
    "eq",
    "exists",
    "ge",
    "gt",
    "html",
    "index",
    "js",
    "le",
    "len",
    "lt",
    "ne",
    "not",
    "or",
    "print",
    "printf",
    "println",
    "slice",
];

pub(super) fn is_function(name: &str) -> bool {
    NAMES.contains(&name) || name == "urlquery"
}

pub(super) fn signature(name: &str) -> Signature {
    use Param::*;
    let (fixed, variadic): (&'static [Param], Option<Param>) = match name {
        "and" | "or" | "call" | "index" | "slice" | "eq" => (&[Value], Some(Value)),
        "html" | "js" | "urlquery" | "print" | "println" => (&[], Some(Any)),
        "printf" => (&[String], Some(Any)),
        "len" | "not" => (&[Value], None),
        "exists" => (&[Any], Some(Any)),
        "base64decode" => (&[String], None),
        // ne, lt, le, gt, ge
        _ => (&[Value, Value], None),
    };
    Signature { fixed, variadic }
}

type Res<'a> = Result<Value<'a>, String>;

/// Calls `name` with arguments already checked against its signature;
/// `callee` is what `call` names its function by.
pub(super) fn call<'a>(name: &str, callee: Option<&str>, argv: &[Value<'a>]) -> Res<'a> {
    match name {
        "index" => index(&argv[0], &argv[1..]),
        "slice" => slice(&argv[0], &argv[1..]),
        "len" => length(&argv[0]),
        "not" => Ok(Value::Bool(!argv[0].truth())),
        "eq" => eq(&argv[0], &argv[1..]).map(Value::Bool),
        "ne" => eq(&argv[0], &argv[1..2]).map(|b| Value::Bool(!b)),
        "lt" => lt(&argv[0], &argv[1]).map(Value::Bool),
        "le" => le(&argv[0], &argv[1]).map(Value::Bool),
        "gt" => le(&argv[0], &argv[1]).map(|b| Value::Bool(!b)),
        "ge" => lt(&argv[0], &argv[1]).map(|b| Value::Bool(!b)),
        "html" => Ok(owned(html_escape(&eval_args(argv)))),
        "js" => Ok(owned(js_escape(&eval_args(argv)))),
        "urlquery" => Ok(owned(query_escape(&eval_args(argv)))),
        "print" => Ok(owned(fmt::sprint(argv))),
        "println" => Ok(owned(fmt::sprintln(argv))),
        "printf" => {
            let Value::Str(format) = &argv[0] else {
                return Ok(owned(Vec::new()));
            };
            Ok(owned(fmt::sprintf(format, &argv[1..])))
        }
        "exists" => Ok(Value::Bool(exists(&argv[0], &argv[1..]))),
        "base64decode" => base64decode(&argv[0]),
        "call" => {
            let f = argv[0].concrete();
            if !f.is_valid() {
                return Err("call of nil".to_string());
            }
            Err(format!(
                "non-function {} of type {}",
                callee.unwrap_or_default(),
                f.type_name()
            ))
        }
        _ => Err(format!(
            "{} is not a defined function",
            fmt::quote(name.as_bytes())
        )),
    }
}

fn owned<'a>(b: Vec<u8>) -> Value<'a> {
    Value::Str(Cow::Owned(b))
}

/// `indexArg`: an integer index within `0..=cap`.
fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x: i128 = match index {
        Value::Int(i) | Value::Int64(i) => *i as i128,
        Value::Byte(b) => *b as i128,
        Value::Invalid => return Err("cannot index slice/array with nil".to_string()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

/// A map key: `prepareArg` to `string`.
fn map_key<'v>(index: &'v Value) -> Result<&'v [u8], String> {
    match index {
        Value::Str(s) => Ok(s),
        Value::Invalid => Err("value is nil; should be of type string".to_string()),
        other => Err(format!(
            "value has type {}; should be string",
            other.type_name()
        )),
    }
}

fn lookup<'a>(
    m: &'a serde_json::Map<String, serde_json::Value>,
    key: &[u8],
) -> Option<&'a serde_json::Value> {
    std::str::from_utf8(key).ok().and_then(|k| m.get(k))
}

fn index<'a>(item: &Value<'a>, indexes: &[Value<'a>]) -> Res<'a> {
    let mut item = item.concrete();
    if !item.is_valid() {
        return Err("index of untyped nil".to_string());
    }
    for index in indexes {
        let index = index.concrete();
        let (it, is_nil) = item.indirect();
        if is_nil {
            return Err("index of nil pointer".to_string());
        }
        item = match it {
            Value::List(list) => {
                let x = index_arg(&index, list.len())?;
                if x == list.len() {
                    return Err("reflect: slice index out of range".to_string());
                }
                list.get(x)
            }
            Value::Str(s) => {
                let x = index_arg(&index, s.len())?;
                if x == s.len() {
                    return Err("reflect: string index out of range".to_string());
                }
                Value::Byte(s[x])
            }
            Value::Map(m) => Value::Elem(lookup(m, map_key(&index)?).unwrap_or(&NULL)),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice<'a>(item: &Value<'a>, indexes: &[Value<'a>]) -> Res<'a> {
    let item = item.concrete();
    if !item.is_valid() {
        return Err("slice of untyped nil".to_string());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let (len, cap) = match &item {
        Value::Str(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".to_string());
            }
            (s.len(), s.len())
        }
        Value::List(list) => (list.len(), list.cap),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0, len, 0];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(match item {
        Value::Str(s) => Value::Str(match s {
            Cow::Borrowed(b) => Cow::Borrowed(&b[idx[0]..idx[1]]),
            Cow::Owned(b) => Cow::Owned(b[idx[0]..idx[1]].to_vec()),
        }),
        Value::List(list) => {
            let cap = if indexes.len() == 3 { idx[2] } else { cap };
            Value::List(list.sub(idx[0], idx[1], cap))
        }
        other => other,
    })
}

fn length<'a>(item: &Value<'a>) -> Res<'a> {
    let (item, is_nil) = item.indirect();
    if is_nil {
        return Err("len of nil pointer".to_string());
    }
    match item {
        Value::List(list) => Ok(Value::Int(list.len() as i64)),
        Value::Map(m) => Ok(Value::Int(m.len() as i64)),
        Value::Str(s) => Ok(Value::Int(s.len() as i64)),
        Value::Invalid => Err("reflect: call of reflect.Value.Type on zero Value".to_string()),
        other => Err(format!("len of type {}", other.type_name())),
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Complex,
    Int,
    Float,
    String,
    Uint,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Byte(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::Complex(..) => Kind::Complex,
        Value::Str(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

fn uint_of(v: &Value) -> u64 {
    match v {
        Value::Byte(b) => *b as u64,
        _ => 0,
    }
}

fn float_of(v: &Value) -> f64 {
    match v {
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

fn show(verb: &str, v: &Value) -> String {
    String::from_utf8_lossy(&fmt::sprintf(verb.as_bytes(), std::slice::from_ref(v))).into_owned()
}

/// Go 1.23's `errBadComparison` (later Go names the two types).
const BAD_COMPARISON: &str = "incompatible types for comparison";

fn eq(arg1: &Value, rest: &[Value]) -> Result<bool, String> {
    let a = arg1.concrete();
    if rest.is_empty() {
        return Err("missing argument for comparison".to_string());
    }
    let k1 = basic_kind(&a);
    for arg in rest {
        let b = arg.concrete();
        let k2 = basic_kind(&b);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => int_of(&a) >= 0 && int_of(&a) as u64 == uint_of(&b),
                (Kind::Uint, Kind::Int) => int_of(&b) >= 0 && uint_of(&a) == int_of(&b) as u64,
                _ => {
                    if a.is_valid() && b.is_valid() {
                        return Err(BAD_COMPARISON.to_string());
                    }
                    false
                }
            }
        } else {
            match k1 {
                Kind::Bool => matches!((&a, &b), (Value::Bool(x), Value::Bool(y)) if x == y),
                Kind::Complex => match (&a, &b) {
                    (Value::Complex(r1, i1), Value::Complex(r2, i2)) => r1 == r2 && i1 == i2,
                    _ => false,
                },
                Kind::Float => float_of(&a) == float_of(&b),
                Kind::Int => int_of(&a) == int_of(&b),
                Kind::Uint => uint_of(&a) == uint_of(&b),
                Kind::String => match (&a, &b) {
                    (Value::Str(x), Value::Str(y)) => x == y,
                    _ => false,
                },
                Kind::Invalid => {
                    let same_kind = std::mem::discriminant(&a) == std::mem::discriminant(&b);
                    if !same_kind && a.is_valid() && b.is_valid() {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            show("%s", &a),
                            a.type_name(),
                            b.type_name(),
                            show("%v", &b)
                        ));
                    }
                    if !a.is_valid() || !b.is_valid() {
                        a.is_valid() == b.is_valid()
                    } else {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            show("%s", &b),
                            b.type_name()
                        ));
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(arg1: &Value, arg2: &Value) -> Result<bool, String> {
    let bad = || "invalid type for comparison".to_string();
    let a = arg1.concrete();
    let k1 = basic_kind(&a);
    if k1 == Kind::Invalid {
        return Err(bad());
    }
    let b = arg2.concrete();
    let k2 = basic_kind(&b);
    if k2 == Kind::Invalid {
        return Err(bad());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(int_of(&a) < 0 || (int_of(&a) as u64) < uint_of(&b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(&b) >= 0 && uint_of(&a) < int_of(&b) as u64),
            _ => Err(BAD_COMPARISON.to_string()),
        };
    }
    Ok(match k1 {
        Kind::Bool | Kind::Complex | Kind::Invalid => return Err(bad()),
        Kind::Float => float_of(&a) < float_of(&b),
        Kind::Int => int_of(&a) < int_of(&b),
        Kind::Uint => uint_of(&a) < uint_of(&b),
        Kind::String => match (&a, &b) {
            (Value::Str(x), Value::Str(y)) => x < y,
            _ => false,
        },
    })
}

fn le(arg1: &Value, arg2: &Value) -> Result<bool, String> {
    if lt(arg1, arg2)? {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

/// kubectl's `exists`: whether `index` would find something not nil.
fn exists(item: &Value, indices: &[Value]) -> bool {
    let mut v = item.concrete();
    for index in indices {
        let index = index.concrete();
        let (it, is_nil) = v.indirect();
        if is_nil {
            return false;
        }
        v = match it {
            Value::List(list) => match index_of(&index) {
                Some(x) if x >= 0 && (x as usize) < list.len() => list.get(x as usize),
                _ => return false,
            },
            Value::Str(s) => match index_of(&index) {
                Some(x) if x >= 0 && (x as usize) < s.len() => Value::Byte(s[x as usize]),
                _ => return false,
            },
            Value::Map(m) => {
                let key: &[u8] = match &index {
                    Value::Invalid => b"",
                    Value::Str(s) => s,
                    _ => return false,
                };
                Value::Elem(lookup(m, key).unwrap_or(&NULL))
            }
            _ => return false,
        };
    }
    !v.indirect().1
}

fn index_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) | Value::Int64(i) => Some(*i),
        Value::Byte(b) => Some(*b as i64),
        _ => None,
    }
}

fn base64decode<'a>(v: &Value<'a>) -> Res<'a> {
    let Value::Str(s) = v else {
        return Ok(owned(Vec::new()));
    };
    crate::base64::decode_std(s)
        .map(owned)
        .map_err(|at| format!("base64 decode failed: illegal base64 data at input byte {at}"))
}

/// `evalArgs`: a lone string as it is, else `fmt.Sprint` of the
/// arguments with nothing shown as `<no value>`.
fn eval_args(args: &[Value]) -> Vec<u8> {
    if let [Value::Str(s)] = args {
        return s.to_vec();
    }
    let shown: Vec<Value> = args
        .iter()
        .map(|a| match a.concrete() {
            Value::Invalid => Value::str("<no value>"),
            other => other,
        })
        .collect();
    fmt::sprint(&shown)
}

fn html_escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        match c {
            0 => out.extend_from_slice("\u{fffd}".as_bytes()),
            b'"' => out.extend_from_slice(b"&#34;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c < 0x80 {
            match c {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\'' => out.extend_from_slice(b"\\'"),
                b'"' => out.extend_from_slice(b"\\\""),
                b'<' => out.extend_from_slice(b"\\u003C"),
                b'>' => out.extend_from_slice(b"\\u003E"),
                b'&' => out.extend_from_slice(b"\\u0026"),
                b'=' => out.extend_from_slice(b"\\u003D"),
                c if c < b' ' => out.extend_from_slice(format!("\\u00{c:02X}").as_bytes()),
                c => out.push(c),
            }
            i += 1;
            continue;
        }
        let (r, size) = fmt::decode_rune(&s[i..]);
        let r = r.unwrap_or('\u{fffd}');
        if fmt::is_print(r) {
            out.extend_from_slice(&s[i..i + size]);
        } else {
            out.extend_from_slice(format!("\\u{:04X}", r as u32).as_bytes());
        }
        i += size;
    }
    out
}

/// `url.QueryEscape`.
fn query_escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(c),
            b' ' => out.push(b'+'),
            c => out.extend_from_slice(format!("%{c:02X}").as_bytes()),
        }
    }
    out
}
