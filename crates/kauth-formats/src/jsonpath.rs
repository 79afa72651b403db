//! kubectl's JSONPath templates (`-o jsonpath=...`): text with `{...}`
//! actions holding field paths (`.users[0].name`), wildcards (`[*]`,
//! `.*`), slices (`[1:3]`), filters (`[?(@.name=="x")]`), `range`/`end`
//! blocks and string literals (`{"\n"}`).
//!
//! Upstream: `staging/src/k8s.io/client-go/util/jsonpath/` (parser and
//! evaluator). Results of one action are joined by spaces; strings print
//! raw, other values as JSON.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonPathError {
    #[error("error parsing jsonpath {template}, {reason}")]
    Parse { template: String, reason: String },
    #[error("{0} is not found")]
    NotFound(String),
    /// An error while executing the template (kubectl reports these even
    /// when missing keys are allowed).
    #[error("{0}")]
    Execute(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    AllFields,
    /// `[i]`, `[a:b]`, `[a:b:step]`: upstream's ArrayNode. An index `[i]`
    /// is the slice `[i:i+1]` whose end is marked derived.
    Array {
        start: Option<i64>,
        end: Option<i64>,
        end_derived: bool,
        step: Option<i64>,
    },
    /// `[a,b]`: each member applied to the whole input, in turn.
    Union(Vec<Step>),
    /// `['a.b']`: a quoted key is read as the path `.a.b`.
    Seq(Vec<Step>),
    All,
    Filter(Vec<Step>, String, Literal),
    Recursive,
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    Num(f64),
    Exists,
}

/// Renders `template` against `data`. With `allow_missing` (kubectl's
/// default `--allow-missing-template-keys=true`) a missing field or index
/// yields nothing instead of an error.
pub fn render(template: &str, data: &Value, allow_missing: bool) -> Result<String, JsonPathError> {
    run(template, data, allow_missing, false)
}

/// `-o jsonpath-as-json=...`: each text and each action's results printed
/// as one indented JSON array (`json.MarshalIndent`, upstream's
/// `outputJSON`), one after another.
pub fn render_as_json(
    template: &str,
    data: &Value,
    allow_missing: bool,
) -> Result<String, JsonPathError> {
    run(template, data, allow_missing, true)
}

fn run(
    template: &str,
    data: &Value,
    allow_missing: bool,
    as_json: bool,
) -> Result<String, JsonPathError> {
    let nodes = parse(template)?;
    let mut out = String::new();
    let ctx = Eval {
        allow_missing,
        as_json,
    };
    ctx.nodes(&nodes, data, data, &mut out)?;
    Ok(out)
}

struct Eval {
    allow_missing: bool,
    as_json: bool,
}

fn parse_error(template: &str, reason: &str) -> JsonPathError {
    JsonPathError::Parse {
        template: template.to_string(),
        reason: reason.to_string(),
    }
}

fn parse(template: &str) -> Result<Vec<Node>, JsonPathError> {
    let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
    let mut current: Vec<Node> = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(open) = rest.find('{') else {
            current.push(Node::Text(rest.to_string()));
            break;
        };
        if open > 0 {
            current.push(Node::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 1..];
        let close = find_close(after).ok_or_else(|| parse_error(template, "unclosed action"))?;
        let action = after[..close].trim();
        rest = &after[close + 1..];
        if let Some(path) = action.strip_prefix("range ") {
            stack.push((
                parse_path(path.trim(), template)?,
                std::mem::take(&mut current),
            ));
        } else if action == "end" {
            let (steps, parent) = stack
                .pop()
                .ok_or_else(|| parse_error(template, "not in range, nothing to end"))?;
            let body = std::mem::replace(&mut current, parent);
            current.push(Node::Range(steps, body));
        } else if action.starts_with('"') || action.starts_with('\'') {
            current.push(Node::Text(unquote(action)));
        } else {
            current.push(Node::Path(parse_path(action, template)?));
        }
    }
    if !stack.is_empty() {
        return Err(parse_error(template, "range without end"));
    }
    Ok(current)
}

fn find_close(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, '}') if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> String {
    let inner = &s[1..s.len().saturating_sub(1).max(1)];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_path(path: &str, template: &str) -> Result<Vec<Step>, JsonPathError> {
    let mut steps = Vec::new();
    let b = path.as_bytes();
    let mut i = 0;
    if path.starts_with('$') || path.starts_with('@') {
        i = 1;
    }
    while i < b.len() {
        match b[i] {
            b'.' => {
                if b.get(i + 1) == Some(&b'.') {
                    steps.push(Step::Recursive);
                    i += 2;
                    continue;
                }
                i += 1;
                let start = i;
                while i < b.len() && !matches!(b[i], b'.' | b'[' | b',') {
                    i += 1;
                }
                let name = &path[start..i];
                if name == "*" {
                    steps.push(Step::AllFields);
                } else if !name.is_empty() {
                    steps.push(Step::Field(name.to_string()));
                }
            }
            b'[' => {
                let close = find_bracket(&path[i..])
                    .ok_or_else(|| parse_error(template, "unterminated array"))?
                    + i;
                let inner = &path[i + 1..close];
                steps.push(parse_bracket(inner, template)?);
                i = close + 1;
            }
            b',' => {
                return Err(parse_error(
                    template,
                    "unrecognized character in action: U+002C ','",
                ));
            }
            _ => {
                let start = i;
                while i < b.len() && !matches!(b[i], b'.' | b'[' | b',') {
                    i += 1;
                }
                let name = &path[start..i];
                if name.starts_with('"') {
                    return Err(parse_error(template, "unexpected string"));
                }
                steps.push(Step::Field(name.to_string()));
            }
        }
    }
    Ok(steps)
}

fn find_bracket(s: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn parse_bracket(inner: &str, template: &str) -> Result<Step, JsonPathError> {
    if inner == "*" {
        return Ok(Step::All);
    }
    if !inner.starts_with("?(") && inner.contains(',') {
        return inner
            .split(',')
            .map(|part| parse_bracket(part.trim_matches(' '), template))
            .collect::<Result<Vec<_>, _>>()
            .map(Step::Union);
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if let Some((lhs, rhs)) = filter.split_once(op) {
                let lhs = parse_path(lhs.trim(), template)?;
                let rhs = rhs.trim();
                let lit = if rhs.starts_with('"') || rhs.starts_with('\'') {
                    Literal::Str(unquote(rhs))
                } else {
                    Literal::Num(
                        rhs.parse()
                            .map_err(|_| parse_error(template, "bad filter literal"))?,
                    )
                };
                return Ok(Step::Filter(lhs, op.to_string(), lit));
            }
        }
        return Ok(Step::Filter(
            parse_path(filter.trim(), template)?,
            String::new(),
            Literal::Exists,
        ));
    }
    // upstream's dictKeyRex: `^'([^']*)'$`, read as the path `.key`.
    if let Some(key) = inner.strip_prefix('\'').and_then(|k| k.strip_suffix('\''))
        && !key.contains('\'')
    {
        return parse_path(&format!(".{key}"), template).map(Step::Seq);
    }
    parse_array(inner).ok_or_else(|| parse_error(template, &format!("invalid array index {inner}")))
}

/// upstream's sliceOperatorRex `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`.
fn parse_array(inner: &str) -> Option<Step> {
    let parts: Vec<&str> = inner.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let num = |p: &str| -> Option<Option<i64>> {
        let digits = p.strip_prefix('-').unwrap_or(p);
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if p.is_empty() {
            return Some(None);
        }
        p.parse().ok().map(Some)
    };
    let start = num(parts[0])?;
    let (end, end_derived) = match parts.get(1) {
        None => (Some(start.unwrap_or(0) + 1), true),
        Some(p) => (num(p)?, false),
    };
    let step = match parts.get(2) {
        None => None,
        Some(p) => num(p)?,
    };
    Some(Step::Array {
        start,
        end,
        end_derived,
        step,
    })
}

/// The Go type kubectl names in "... is not array or slice".
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "map[string]interface {}",
        Value::Array(_) => "[]interface {}",
        Value::String(_) => "string",
        Value::Number(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Null => "interface {}",
    }
}

impl Eval {
    fn nodes(
        &self,
        nodes: &[Node],
        root: &Value,
        cur: &Value,
        out: &mut String,
    ) -> Result<(), JsonPathError> {
        for node in nodes {
            match node {
                Node::Text(t) if self.as_json => {
                    out.push_str(&crate::json::to_go_json(&Value::Array(vec![
                        Value::String(t.clone()),
                    ])))
                }
                Node::Text(t) => out.push_str(t),
                Node::Path(steps) => {
                    let base = if steps.is_empty() { cur } else { root };
                    let values = self.steps(steps, base, cur)?;
                    if self.as_json {
                        let list = values.iter().map(|v| crate::json::sorted_keys(v)).collect();
                        out.push_str(&crate::json::to_go_json(&Value::Array(list)));
                        continue;
                    }
                    let texts: Vec<String> = values.iter().map(|v| text_of(v)).collect();
                    out.push_str(&texts.join(" "));
                }
                Node::Range(steps, body) => {
                    for v in self.steps(steps, root, cur)? {
                        match v {
                            Value::Array(items) => {
                                for item in items {
                                    self.nodes(body, root, item, out)?;
                                }
                            }
                            other => self.nodes(body, root, other, out)?,
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn steps<'a>(
        &self,
        steps: &[Step],
        _root: &'a Value,
        cur: &'a Value,
    ) -> Result<Vec<&'a Value>, JsonPathError> {
        let mut values = vec![cur];
        for step in steps {
            values = self.step(step, values)?;
        }
        Ok(values)
    }

    /// One step over the whole input list, as upstream evaluates it (a
    /// union applies each member to every input before the next member).
    fn step<'a>(
        &self,
        step: &Step,
        values: Vec<&'a Value>,
    ) -> Result<Vec<&'a Value>, JsonPathError> {
        let mut next = Vec::new();
        match step {
            Step::Union(members) => {
                for member in members {
                    next.extend(self.step(member, values.clone())?);
                }
            }
            Step::Seq(steps) => {
                let mut values = values;
                for s in steps {
                    values = self.step(s, values)?;
                }
                next = values;
            }
            _ => {
                for v in values {
                    self.apply(step, v, &mut next)?;
                }
            }
        }
        Ok(next)
    }

    fn missing(&self, what: String) -> Result<(), JsonPathError> {
        if self.allow_missing {
            Ok(())
        } else {
            Err(JsonPathError::NotFound(what))
        }
    }

    fn apply<'a>(
        &self,
        step: &Step,
        v: &'a Value,
        next: &mut Vec<&'a Value>,
    ) -> Result<(), JsonPathError> {
        match step {
            Step::Field(name) => match v.as_object().and_then(|m| m.get(name)) {
                Some(x) => next.push(x),
                None => self.missing(name.clone())?,
            },
            Step::AllFields => {
                if let Value::Object(m) = v {
                    next.extend(m.values());
                }
            }
            Step::All => match v {
                Value::Array(a) => next.extend(a.iter()),
                Value::Object(m) => next.extend(m.values()),
                _ => {}
            },
            Step::Array {
                start,
                end,
                end_derived,
                step,
            } => {
                let a = match v {
                    Value::Null => return Ok(()),
                    Value::Array(a) => a,
                    other => {
                        return Err(JsonPathError::Execute(format!(
                            "{} is not array or slice",
                            go_type(other)
                        )));
                    }
                };
                let len = a.len() as i64;
                let mut s = start.unwrap_or(0);
                if s < 0 {
                    s += len;
                }
                let mut e = end.unwrap_or(len);
                if e < 0 || (e == 0 && *end_derived) {
                    e += len;
                }
                if s == e {
                    return Ok(());
                }
                let bounds = |index: i64| {
                    JsonPathError::Execute(format!(
                        "array index out of bounds: index {index}, length {len}"
                    ))
                };
                if s >= len || s < 0 {
                    return Err(bounds(s));
                }
                if e > len || e < 0 {
                    return Err(bounds(e - 1));
                }
                if s > e {
                    return Err(JsonPathError::Execute(format!(
                        "starting index {s} is greater than ending index {e}"
                    )));
                }
                let step = match step {
                    Some(n) if *n <= 0 => {
                        return Err(JsonPathError::Execute("step must be > 0".into()));
                    }
                    Some(n) => *n as usize,
                    None => 1,
                };
                next.extend(a[s as usize..e as usize].iter().step_by(step));
            }
            Step::Union(_) | Step::Seq(_) => next.extend(self.step(step, vec![v])?),
            Step::Filter(lhs, op, lit) => {
                let items: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for item in items {
                    let found = self.steps(lhs, item, item).unwrap_or_default();
                    let keep = match lit {
                        Literal::Exists => !found.is_empty(),
                        Literal::Str(s) => found.iter().any(|f| compare_str(f, op, s)),
                        Literal::Num(n) => found
                            .iter()
                            .any(|f| f.as_f64().is_some_and(|x| compare_num(x, op, *n))),
                    };
                    if keep {
                        next.push(item);
                    }
                }
            }
            Step::Recursive => collect_all(v, next),
        }
        Ok(())
    }
}

/// What kubectl prints for a result: strings raw, anything else as Go's
/// `json.Marshal` writes the value kubectl holds (a Go map, so keys sorted,
/// and HTML-safe escaping).
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        // kubectl prints a number with fmt.Fprint, a float64 as `%v`.
        Value::Number(n) if n.is_f64() => {
            crate::gotemplate::sprint_float(n.as_f64().unwrap_or_default())
        }
        other => {
            let mut out = String::new();
            write_compact(&crate::json::sorted_keys(other), &mut out);
            out
        }
    }
}

fn write_compact(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::json::write_go_string(k, out);
                out.push(':');
                write_compact(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(v, out);
            }
            out.push(']');
        }
        Value::String(s) => crate::json::write_go_string(s, out),
        Value::Number(n) => crate::json::write_go_number(n, out),
        other => out.push_str(&other.to_string()),
    }
}

fn collect_all<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(v);
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect_all(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_all(x, out)),
        _ => {}
    }
}

fn compare_str(v: &Value, op: &str, s: &str) -> bool {
    let Value::String(x) = v else { return false };
    match op {
        "==" => x == s,
        "!=" => x != s,
        "<" => x.as_str() < s,
        ">" => x.as_str() > s,
        "<=" => x.as_str() <= s,
        ">=" => x.as_str() >= s,
        _ => false,
    }
}

fn compare_num(x: f64, op: &str, n: f64) -> bool {
    match op {
        "==" => x == n,
        "!=" => x != n,
        "<" => x < n,
        ">" => x > n,
        "<=" => x <= n,
        ">=" => x >= n,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_paths_filters_and_ranges() {
        let doc = json!({"users": [{"name": "a", "user": {"token": "t1"}}, {"name": "b", "user": {"token": "t2"}}]});
        let render = |t: &str, d: &Value| render(t, d, false);
        assert_eq!(render("{.users[0].name}", &doc).unwrap(), "a");
        assert_eq!(render("{.users[*].name}", &doc).unwrap(), "a b");
        assert_eq!(
            render("{.users[?(@.name==\"b\")].user.token}", &doc).unwrap(),
            "t2"
        );
        assert_eq!(
            render("{range .users[*]}{.name}{\"\\n\"}{end}", &doc).unwrap(),
            "a\nb\n"
        );
        assert!(render("{.nope}", &doc).is_err());
        assert_eq!(super::render("{.nope}x", &doc, true).unwrap(), "x");
    }
}
