//! Execution: Go's `text/template/exec.go` over [`Value`]s.
//!
//! The state remembers the node being evaluated, as Go's does, since an
//! error names it (`at <.users.name>`) and its place in the text.

use std::borrow::Cow;

use super::funcs::{self, Param};
use super::parse::{Arg, Branch, Command, List, Node, Pipe, Templates, Var};
use super::value::Value;

/// Go's `maxExecDepth`: nested `{{template}}` calls.
const MAX_EXEC_DEPTH: usize = 100_000;

/// What stops a walk: an error's text, or a `{{break}}`/`{{continue}}` on
/// its way to the innermost `range`.
pub(super) enum Stop {
    Error(String),
    Break,
    Continue,
}

type Res<T> = Result<T, Stop>;

/// The node an error names.
#[derive(Clone, Copy)]
enum At<'a> {
    None,
    Arg(&'a Arg),
    Pipe(&'a Pipe),
    Command(&'a Command),
    Var(&'a Var),
    Template(&'a Node, usize),
}

pub(super) struct State<'a, 'o> {
    pub templates: &'a Templates,
    /// The whole template text: error positions are line:column in it.
    pub text: &'a str,
    pub parse_name: &'a str,
    pub missing_is_error: bool,
    pub out: &'o mut Vec<u8>,
    name: String,
    at: At<'a>,
    vars: Vec<(String, Value<'a>)>,
    depth: usize,
}

impl<'a, 'o> State<'a, 'o> {
    pub fn new(
        templates: &'a Templates,
        text: &'a str,
        parse_name: &'a str,
        missing_is_error: bool,
        out: &'o mut Vec<u8>,
    ) -> Self {
        State {
            templates,
            text,
            parse_name,
            missing_is_error,
            out,
            name: parse_name.to_string(),
            at: At::None,
            vars: Vec::new(),
            depth: 0,
        }
    }

    /// `Template.Execute` of the template `name` with `data` as dot.
    pub fn execute(&mut self, data: Value<'a>) -> Result<(), String> {
        let Some(root) = self.templates.get(&self.name) else {
            let shown = super::fmt::quote(self.name.as_bytes());
            return Err(self.error(format!("{shown} is an incomplete or empty template")));
        };
        self.vars = vec![("$".to_string(), data.clone())];
        match self.walk_list(&data, root) {
            Ok(()) => Ok(()),
            Err(Stop::Error(e)) => Err(e),
            Err(_) => Ok(()),
        }
    }

    fn error(&self, message: String) -> String {
        let name = super::fmt::quote(self.name.as_bytes());
        let (pos, context) = match self.at {
            At::None => return format!("template: {}: {message}", self.name),
            At::Arg(a) => (a.pos(), a.to_string()),
            At::Pipe(p) => (p.pos, p.to_string()),
            At::Command(c) => (c.pos, c.to_string()),
            At::Var(v) => (v.pos, v.to_string()),
            At::Template(n, pos) => (pos, n.to_string()),
        };
        let before = &self.text[..pos.min(self.text.len())];
        let line = 1 + before.matches('\n').count();
        let column = match before.rfind('\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        format!(
            "template: {}:{line}:{column}: executing {name} at <{context}>: {message}",
            self.parse_name
        )
    }

    fn fail<T>(&self, message: String) -> Res<T> {
        Err(Stop::Error(self.error(message)))
    }

    fn var_value(&self, name: &str) -> Res<Value<'a>> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => self.fail(format!("undefined variable: {name}")),
        }
    }

    fn set_var(&mut self, name: &str, value: Value<'a>) -> Res<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => self.fail(format!("undefined variable: {name}")),
        }
    }

    fn set_top_var(&mut self, n: usize, value: Value<'a>) {
        let at = self.vars.len() - n;
        self.vars[at].1 = value;
    }

    fn walk_list(&mut self, dot: &Value<'a>, list: &'a List) -> Res<()> {
        list.nodes.iter().try_for_each(|n| self.walk(dot, n))
    }

    fn walk(&mut self, dot: &Value<'a>, node: &'a Node) -> Res<()> {
        match node {
            Node::Action(pipe) => {
                let value = self.eval_pipeline(dot, Some(pipe))?;
                if pipe.decl.is_empty() {
                    self.print_value(&value);
                }
                Ok(())
            }
            Node::Break => Err(Stop::Break),
            Node::Continue => Err(Stop::Continue),
            Node::If(b) => self.walk_if_or_with(false, dot, b),
            Node::With(b) => self.walk_if_or_with(true, dot, b),
            Node::Range(b) => self.walk_range(dot, b),
            Node::Template { pos, name, pipe } => self.walk_template(dot, node, *pos, name, pipe),
            Node::Text(t) => {
                self.out.extend_from_slice(t);
                Ok(())
            }
        }
    }

    /// `printValue`: the zero value prints as `<no value>`.
    fn print_value(&mut self, value: &Value<'a>) {
        if !value.is_valid() {
            self.out.extend_from_slice(b"<no value>");
        } else {
            let text = super::fmt::sprint(std::slice::from_ref(value));
            self.out.extend_from_slice(&text);
        }
    }

    fn walk_if_or_with(&mut self, with: bool, dot: &Value<'a>, b: &'a Branch) -> Res<()> {
        let mark = self.vars.len();
        let value = self.eval_pipeline(dot, Some(&b.pipe))?;
        let result = if value.truth() {
            if with {
                self.walk_list(&value, &b.list)
            } else {
                self.walk_list(dot, &b.list)
            }
        } else if let Some(else_list) = &b.else_list {
            self.walk_list(dot, else_list)
        } else {
            Ok(())
        };
        self.vars.truncate(mark);
        result
    }

    fn walk_range(&mut self, dot: &Value<'a>, r: &'a Branch) -> Res<()> {
        let mark = self.vars.len();
        let result = self.range_body(dot, r);
        self.vars.truncate(mark);
        match result {
            Err(Stop::Break) => Ok(()),
            other => other,
        }
    }

    fn range_body(&mut self, dot: &Value<'a>, r: &'a Branch) -> Res<()> {
        let (value, _) = self.eval_pipeline(dot, Some(&r.pipe))?.indirect();
        let mark = self.vars.len();
        match &value {
            Value::List(list) if !list.is_empty() => {
                for (i, item) in list.iter().enumerate() {
                    self.one_iteration(r, mark, Value::Int(i as i64), item)?;
                }
                return Ok(());
            }
            Value::Map(m) if !m.is_empty() => {
                let mut keys: Vec<&'a String> = m.keys().collect();
                keys.sort();
                for k in keys {
                    self.one_iteration(r, mark, Value::str(k), Value::Elem(&m[k]))?;
                }
                return Ok(());
            }
            Value::List(..) | Value::Map(_) | Value::Invalid => {}
            other => {
                let shown = super::fmt::sprint(std::slice::from_ref(other));
                return self.fail(format!(
                    "range can't iterate over {}",
                    String::from_utf8_lossy(&shown)
                ));
            }
        }
        match &r.else_list {
            Some(else_list) => self.walk_list(dot, else_list),
            None => Ok(()),
        }
    }

    fn one_iteration(
        &mut self,
        r: &'a Branch,
        mark: usize,
        index: Value<'a>,
        elem: Value<'a>,
    ) -> Res<()> {
        let decl = &r.pipe.decl;
        if !decl.is_empty() {
            if r.pipe.is_assign {
                let first = if decl.len() > 1 {
                    index.clone()
                } else {
                    elem.clone()
                };
                self.set_var(&decl[0].ident[0], first)?;
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if r.pipe.is_assign {
                self.set_var(&decl[1].ident[0], elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let result = self.walk_list(&elem, &r.list);
        self.vars.truncate(mark);
        match result {
            Err(Stop::Continue) => Ok(()),
            other => other,
        }
    }

    fn walk_template(
        &mut self,
        dot: &Value<'a>,
        node: &'a Node,
        pos: usize,
        name: &'a str,
        pipe: &'a Option<Pipe>,
    ) -> Res<()> {
        self.at = At::Template(node, pos);
        let Some(root) = self.templates.get(name) else {
            let shown = super::fmt::quote(name.as_bytes());
            return self.fail(format!("template {shown} not defined"));
        };
        if self.depth == MAX_EXEC_DEPTH {
            return self.fail(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            ));
        }
        let dot = self.eval_pipeline(dot, pipe.as_ref())?;
        let vars = std::mem::replace(&mut self.vars, vec![("$".to_string(), dot.clone())]);
        let outer = std::mem::replace(&mut self.name, name.to_string());
        let at = self.at;
        self.depth += 1;
        let result = self.walk_list(&dot, root);
        self.depth -= 1;
        self.at = at;
        self.name = outer;
        self.vars = vars;
        result
    }

    pub(super) fn eval_pipeline(
        &mut self,
        dot: &Value<'a>,
        pipe: Option<&'a Pipe>,
    ) -> Res<Value<'a>> {
        let Some(pipe) = pipe else {
            return Ok(Value::Invalid);
        };
        self.at = At::Pipe(pipe);
        let mut value: Option<Value<'a>> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            // An empty interface is unwrapped at the end of each stage.
            value = Some(v.concrete());
        }
        let value = value.unwrap_or(Value::Invalid);
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&var.ident[0], value.clone())?;
            } else {
                self.vars.push((var.ident[0].clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], last: &Option<Value<'a>>) -> Res<()> {
        if args.len() > 1 || last.is_some() {
            return self.fail(format!("can't give argument to non-function {}", args[0]));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &Value<'a>,
        cmd: &'a Command,
        last: Option<Value<'a>>,
    ) -> Res<Value<'a>> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { ident, .. } => {
                self.at = At::Arg(first);
                return self.eval_field_chain(dot.clone(), ident, cmd.args.len(), last);
            }
            Arg::Chain { .. } => return self.eval_chain(dot, first, cmd.args.len(), last),
            Arg::Identifier { name, .. } => {
                self.at = At::Arg(first);
                return self.eval_call(dot, At::Command(cmd), name, &cmd.args[1..], last);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &last)?;
                return self.eval_pipeline(dot, Some(p));
            }
            Arg::Variable(v) => return self.eval_variable(v, &cmd.args, last),
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &last)?;
        match first {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => self.fail("nil is not a command".to_string()),
            Arg::Number(_) => self.ideal_constant(first),
            Arg::String { text, .. } => Ok(Value::Str(Cow::Borrowed(text))),
            _ => self.fail(format!("can't evaluate command {first}")),
        }
    }

    fn ideal_constant(&mut self, node: &'a Arg) -> Res<Value<'a>> {
        self.at = At::Arg(node);
        let Arg::Number(n) = node else {
            return Ok(Value::Invalid);
        };
        let t = &n.text;
        let hex_int = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let rune = t.starts_with('\'');
        if let Some((re, im)) = n.complex {
            return Ok(Value::Complex(re, im));
        }
        if let Some(f) = n.float
            && !hex_int
            && !rune
            && t.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(f));
        }
        if let Some(i) = n.int {
            return Ok(Value::Int(i));
        }
        if n.uint.is_some() {
            return self.fail(format!("{t} overflows int"));
        }
        Ok(Value::Invalid)
    }

    fn eval_chain(
        &mut self,
        dot: &Value<'a>,
        chain: &'a Arg,
        nargs: usize,
        last: Option<Value<'a>>,
    ) -> Res<Value<'a>> {
        self.at = At::Arg(chain);
        let Arg::Chain { node, fields, .. } = chain else {
            return Ok(Value::Invalid);
        };
        if let Arg::Nil(_) = node.as_ref() {
            return self.fail(format!("indirection through explicit nil in {chain}"));
        }
        let receiver = self.eval_arg(dot, Param::Untyped, node)?;
        self.eval_field_chain(receiver, fields, nargs, last)
    }

    fn eval_variable(
        &mut self,
        var: &'a Var,
        args: &[Arg],
        last: Option<Value<'a>>,
    ) -> Res<Value<'a>> {
        self.at = At::Var(var);
        let value = self.var_value(&var.ident[0])?;
        if var.ident.len() == 1 {
            self.not_a_function(args, &last)?;
            return Ok(value);
        }
        self.eval_field_chain(value, &var.ident[1..], args.len().max(1), last)
    }

    /// `.a.b.c` from `receiver`; only the last field sees the arguments.
    fn eval_field_chain(
        &mut self,
        mut receiver: Value<'a>,
        ident: &'a [String],
        nargs: usize,
        last: Option<Value<'a>>,
    ) -> Res<Value<'a>> {
        let n = ident.len();
        for name in &ident[..n - 1] {
            receiver = self.eval_field(name, 1, None, receiver)?;
        }
        self.eval_field(&ident[n - 1], nargs, last, receiver)
    }

    fn eval_field(
        &mut self,
        name: &str,
        nargs: usize,
        last: Option<Value<'a>>,
        receiver: Value<'a>,
    ) -> Res<Value<'a>> {
        let shown = || super::fmt::quote(name.as_bytes());
        if !receiver.is_valid() {
            if self.missing_is_error {
                return self.fail(format!("nil data; no entry for key {}", shown()));
            }
            return Ok(Value::Invalid);
        }
        let typ = receiver.type_name();
        let (receiver, is_nil) = receiver.indirect();
        if is_nil {
            return self.fail(format!("nil pointer evaluating {typ}.{name}"));
        }
        let has_args = nargs > 1 || last.is_some();
        if let Value::Map(m) = receiver {
            if has_args {
                return self.fail(format!("{name} is not a method but has arguments"));
            }
            return match m.get(name) {
                Some(v) => Ok(Value::Elem(v)),
                None if self.missing_is_error => {
                    self.fail(format!("map has no entry for key {}", shown()))
                }
                None => Ok(Value::Invalid),
            };
        }
        self.fail(format!("can't evaluate field {name} in type {typ}"))
    }

    /// `evalCall` of the builtin `name`: checks the count, evaluates the
    /// arguments for the parameter types, calls.
    fn eval_call(
        &mut self,
        dot: &Value<'a>,
        node: At<'a>,
        name: &str,
        args: &'a [Arg],
        last: Option<Value<'a>>,
    ) -> Res<Value<'a>> {
        let sig = funcs::signature(name);
        let num_in = args.len() + usize::from(last.is_some());
        let total = sig.fixed.len() + usize::from(sig.variadic.is_some());
        let mut num_fixed = args.len();
        if sig.variadic.is_some() {
            num_fixed = sig.fixed.len();
            if num_in < num_fixed {
                return self.fail(format!(
                    "wrong number of args for {name}: want at least {} got {}",
                    sig.fixed.len(),
                    args.len()
                ));
            }
        } else if num_in != total {
            return self.fail(format!(
                "wrong number of args for {name}: want {total} got {num_in}"
            ));
        }
        let param = |i: usize| {
            sig.fixed
                .get(i)
                .copied()
                .or(sig.variadic)
                .unwrap_or(Param::Untyped)
        };
        if name == "and" || name == "or" {
            let mut v = Value::Invalid;
            for arg in args {
                v = self.eval_arg(dot, Param::Value, arg)?;
                if v.truth() == (name == "or") {
                    return Ok(v);
                }
            }
            if let Some(last) = last {
                v = last;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, arg) in args.iter().enumerate() {
            argv.push(self.eval_arg(dot, param(i), arg)?);
        }
        if let Some(last) = last {
            let t = if sig.variadic.is_some() && num_in - 1 < num_fixed {
                param(num_in - 1)
            } else if sig.variadic.is_some() {
                sig.variadic.unwrap_or(Param::Untyped)
            } else {
                param(total - 1)
            };
            argv.push(self.validate_type(last, t)?);
        }
        let callee = if name == "call" {
            match args.first() {
                Some(a) => Some(a.to_string()),
                // Go 1.23 names the callee by its first argument node even
                // when the function comes down the pipe: an index out of
                // range, which kubectl's printer recovers from.
                None => {
                    return Err(Stop::Error(
                        "caught panic: runtime error: index out of range [0] with length 0"
                            .to_string(),
                    ));
                }
            }
        } else {
            None
        };
        match funcs::call(name, callee.as_deref(), &argv) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.at = node;
                self.fail(format!("error calling {name}: {e}"))
            }
        }
    }

    /// `validateType` for the parameter kinds of the builtins.
    fn validate_type(&self, value: Value<'a>, typ: Param) -> Res<Value<'a>> {
        match typ {
            // A function taking interface{} sees what the interface holds.
            Param::Any => return Ok(value.concrete()),
            Param::Value | Param::Untyped => return Ok(value),
            Param::String => {}
        }
        match value {
            Value::Invalid => self.fail("invalid value; expected string".to_string()),
            Value::Str(_) => Ok(value),
            Value::Elem(serde_json::Value::String(_)) => Ok(value.concrete()),
            Value::Elem(serde_json::Value::Null) => {
                self.fail("wrong type for value; expected string; got interface {}".to_string())
            }
            other => {
                let got = other.concrete();
                self.fail(format!(
                    "wrong type for value; expected string; got {}",
                    got.type_name()
                ))
            }
        }
    }

    fn eval_arg(&mut self, dot: &Value<'a>, typ: Param, n: &'a Arg) -> Res<Value<'a>> {
        self.at = At::Arg(n);
        match n {
            Arg::Dot(_) => return self.validate_type(dot.clone(), typ),
            Arg::Nil(_) => {
                if typ == Param::String {
                    return self.fail("cannot assign nil to string".to_string());
                }
                return Ok(Value::Invalid);
            }
            Arg::Field { ident, .. } => {
                let v = self.eval_field_chain(dot.clone(), ident, 1, None)?;
                return self.validate_type(v, typ);
            }
            Arg::Variable(v) => {
                let v = self.eval_variable(v, std::slice::from_ref(n), None)?;
                return self.validate_type(v, typ);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, Some(p))?;
                return self.validate_type(v, typ);
            }
            Arg::Identifier { name, .. } => {
                let v = self.eval_call(dot, At::Arg(n), name, &[], None)?;
                return self.validate_type(v, typ);
            }
            Arg::Chain { .. } => {
                let v = self.eval_chain(dot, n, 1, None)?;
                return self.validate_type(v, typ);
            }
            _ => {}
        }
        if typ == Param::String {
            return match n {
                Arg::String { text, .. } => Ok(Value::Str(Cow::Borrowed(text))),
                _ => self.fail(format!("expected string; found {n}")),
            };
        }
        match n {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Number(_) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(Value::Str(Cow::Borrowed(text))),
            _ => self.fail(format!(
                "can't handle assignment of {n} to empty interface argument"
            )),
        }
    }
}
