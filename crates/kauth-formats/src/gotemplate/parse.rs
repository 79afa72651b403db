//! The parser: Go's `text/template/parse/parse.go` and the nodes of
//! `node.go`, with their `String()` forms (execution errors quote them).
//!
//! A template's defined templates (`define`, `block`) go to one set, keyed
//! by name, as `template.Parse` stores them.

use std::collections::BTreeMap;

use super::lex::{Item, ItemType, Lexer};

#[derive(Debug, Clone)]
pub(super) struct List {
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(super) enum Node {
    Text(Vec<u8>),
    Action(Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

#[derive(Debug, Clone)]
pub(super) struct Branch {
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

#[derive(Debug, Clone)]
pub(super) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<Var>,
    pub cmds: Vec<Command>,
}

#[derive(Debug, Clone)]
pub(super) struct Var {
    pub pos: usize,
    pub ident: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub(super) struct Number {
    pub pos: usize,
    pub text: String,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    pub complex: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub(super) enum Arg {
    Field {
        pos: usize,
        ident: Vec<String>,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
    Identifier {
        pos: usize,
        name: String,
    },
    Variable(Var),
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(Number),
    String {
        pos: usize,
        quoted: String,
        text: Vec<u8>,
    },
    Pipe(Pipe),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. } | Arg::Chain { pos, .. } | Arg::Identifier { pos, .. } => *pos,
            Arg::String { pos, .. } => *pos,
            Arg::Variable(v) => v.pos,
            Arg::Dot(pos) | Arg::Nil(pos) | Arg::Bool(pos, _) => *pos,
            Arg::Number(n) => n.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

// The String() forms of node.go.

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Field { ident, .. } => ident.iter().try_for_each(|i| write!(f, ".{i}")),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                fields.iter().try_for_each(|i| write!(f, ".{i}"))
            }
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Variable(v) => write!(f, "{v}"),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl std::fmt::Display for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.ident.join("."))
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for List {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.nodes.iter().try_for_each(|n| write!(f, "{n}"))
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let branch = |f: &mut std::fmt::Formatter<'_>, name: &str, b: &Branch| {
            write!(f, "{{{{{name} {}}}}}{}", b.pipe, b.list)?;
            if let Some(e) = &b.else_list {
                write!(f, "{{{{else}}}}{e}")?;
            }
            f.write_str("{{end}}")
        };
        match self {
            Node::Text(t) => f.write_str(&String::from_utf8_lossy(t)),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::If(b) => branch(f, "if", b),
            Node::Range(b) => branch(f, "range", b),
            Node::With(b) => branch(f, "with", b),
            Node::Template { name, pipe, .. } => {
                write!(f, "{{{{template {}", super::fmt::quote(name.as_bytes()))?;
                if let Some(p) = pipe {
                    write!(f, " {p}")?;
                }
                f.write_str("}}")
            }
            Node::Break => f.write_str("{{break}}"),
            Node::Continue => f.write_str("{{continue}}"),
        }
    }
}

/// What `textOrAction` returns: a node, or the `{{else}}`/`{{end}}` that
/// closes the list being read.
enum Parsed {
    Node(Node),
    Else,
    End,
}

pub(super) type Templates = BTreeMap<String, List>;

/// Parses `text` as the template `name`; returns every template it defines.
pub(super) fn parse(name: &str, text: &str) -> Result<Templates, String> {
    let mut p = Parser {
        name: name.to_string(),
        lex: Lexer::new(text),
        token: std::array::from_fn(|_| Item {
            typ: ItemType::Eof,
            pos: 0,
            val: String::new(),
            line: 0,
        }),
        peek_count: 0,
        vars: vec!["$".to_string()],
        action_line: 0,
        range_depth: 0,
        stack_depth: 0,
        set: Templates::new(),
        // Which definitions of the set have a non-empty body.
        nonempty: BTreeMap::new(),
    };
    let root = p.parse_top()?;
    p.add(name.to_string(), root)?;
    Ok(p.set)
}

const MAX_STACK_DEPTH: usize = 10000;

struct Parser<'t> {
    name: String,
    lex: Lexer<'t>,
    token: [Item; 3],
    peek_count: usize,
    vars: Vec<String>,
    action_line: usize,
    range_depth: usize,
    stack_depth: usize,
    set: Templates,
    nonempty: BTreeMap<String, bool>,
}

type Res<T> = Result<T, String>;

fn unquote_name(val: &str) -> Res<String> {
    let bytes = super::literal::unquote(val).ok_or("invalid syntax")?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

impl<'t> Parser<'t> {
    fn errorf(&self, message: impl std::fmt::Display) -> String {
        format!("template: {}:{}: {message}", self.name, self.token[0].line)
    }

    fn next(&mut self) -> Item {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = self.lex.next_item();
        }
        self.token[self.peek_count].clone()
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.token[1] = t1;
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.token[1] = t1;
        self.token[2] = t2;
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1].clone();
        }
        self.peek_count = 1;
        self.token[0] = self.lex.next_item();
        self.token[0].clone()
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.typ != ItemType::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn expect(&mut self, expected: ItemType, context: &str) -> Res<Item> {
        let t = self.next_non_space();
        if t.typ != expected {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn unexpected(&self, token: &Item, context: &str) -> String {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(" in action started at {}:{}", self.name, self.action_line);
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{token}{extra}"));
        }
        self.errorf(format!("unexpected {token} in {context}"))
    }

    /// `Tree.add`: a second non-empty definition of a name is an error.
    fn add(&mut self, name: String, root: List) -> Res<()> {
        let empty = is_empty(&root);
        match self.nonempty.get(&name) {
            Some(true) if !empty => {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    super::fmt::quote(name.as_bytes())
                )));
            }
            Some(true) => return Ok(()),
            _ => {}
        }
        self.nonempty.insert(name.clone(), !empty);
        self.set.insert(name, root);
        Ok(())
    }

    fn parse_top(&mut self) -> Res<List> {
        let mut root = List { nodes: Vec::new() };
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Parsed::End => return Err(self.errorf("unexpected {{end}}")),
                Parsed::Else => return Err(self.errorf("unexpected {{else}}")),
                Parsed::Node(n) => root.nodes.push(n),
            }
        }
        Ok(root)
    }

    /// `{{define "name"}}...{{end}}`: a template of its own, with fresh
    /// variables (the lexer goes on).
    fn parse_definition(&mut self) -> Res<()> {
        let context = "define clause";
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let token = self.next_non_space();
        if token.typ != ItemType::String && token.typ != ItemType::RawString {
            return Err(self.unexpected(&token, context));
        }
        let name = unquote_name(&token.val).map_err(|e| self.errorf(e))?;
        self.expect(ItemType::RightDelim, context)?;
        let (list, end) = self.item_list()?;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format!("unexpected {} in {context}", parsed_name(&end))));
        }
        self.add(name, list)?;
        self.vars = saved_vars;
        self.range_depth = saved_depth;
        Ok(())
    }

    fn item_list(&mut self) -> Res<(List, Parsed)> {
        let mut list = List { nodes: Vec::new() };
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                n @ (Parsed::End | Parsed::Else) => return Ok((list, n)),
                Parsed::Node(n) => list.nodes.push(n),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> Res<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text(token.val.into_bytes()))),
            ItemType::LeftDelim => {
                self.action_line = token.line;
                let result = self.action();
                self.action_line = 0;
                result
            }
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> Res<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break => return self.break_or_continue("{{break}}", Node::Break),
            ItemType::Continue => {
                return self.break_or_continue("{{continue}}", Node::Continue);
            }
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => return self.branch("if").map(Node::If).map(Parsed::Node),
            ItemType::Range => return self.branch("range").map(Node::Range).map(Parsed::Node),
            ItemType::Template => return self.template_control().map(Parsed::Node),
            ItemType::With => return self.branch("with").map(Node::With).map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(pipe)))
    }

    fn break_or_continue(&mut self, context: &str, node: Node) -> Res<Parsed> {
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(&token, context));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format!("{context} outside {{{{range}}}}")));
        }
        Ok(Parsed::Node(node))
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> Res<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            if v.typ == ItemType::Variable {
                self.next();
                let after = self.peek();
                let next = self.peek_non_space();
                if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                    pipe.is_assign = next.typ == ItemType::Assign;
                    self.next_non_space();
                    pipe.decl.push(new_var(v.pos, &v.val));
                    self.vars.push(v.val.clone());
                } else if next.typ == ItemType::Char && next.val == "," {
                    self.next_non_space();
                    pipe.decl.push(new_var(v.pos, &v.val));
                    self.vars.push(v.val.clone());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().typ {
                            ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                                continue 'decls;
                            }
                            _ => return Err(self.errorf("range can only initialize variables")),
                        }
                    }
                    return Err(self.errorf(format!("too many declarations in {context}")));
                } else if after.typ == ItemType::Space {
                    self.backup3(v, after);
                } else {
                    self.backup2(v);
                }
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> Res<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(_) | Arg::String { .. }
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn branch(&mut self, context: &str) -> Res<Branch> {
        let mark = self.vars.len();
        let result = self.branch_body(context);
        self.vars.truncate(mark);
        result
    }

    fn branch_body(&mut self, context: &str) -> Res<Branch> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.range_depth = self.range_depth.saturating_sub(1);
        }
        let (list, next) = listed?;
        let mut else_list = None;
        if let Parsed::Else = next {
            if context == "if" && self.peek().typ == ItemType::If {
                self.next();
                else_list = Some(List {
                    nodes: vec![Node::If(self.branch("if")?)],
                });
            } else if context == "with" && self.peek().typ == ItemType::With {
                self.next();
                else_list = Some(List {
                    nodes: vec![Node::With(self.branch("with")?)],
                });
            } else {
                let (list, next) = self.item_list()?;
                if !matches!(next, Parsed::End) {
                    return Err(self.errorf(format!("expected end; found {}", parsed_name(&next))));
                }
                else_list = Some(list);
            }
        }
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn else_control(&mut self) -> Res<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            return Ok(Parsed::Else);
        }
        self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn block_control(&mut self) -> Res<Node> {
        let context = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, context)?;
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        // The block's body is a tree of its own, parsed from a clean slate.
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let saved_line = std::mem::replace(&mut self.action_line, 0);
        let (list, end) = self.item_list()?;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format!("unexpected {} in {context}", parsed_name(&end))));
        }
        self.add(name.clone(), list)?;
        self.vars = saved_vars;
        self.range_depth = saved_depth;
        self.action_line = saved_line;
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn template_control(&mut self) -> Res<Node> {
        let context = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, context)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(context, ItemType::RightDelim)?);
        }
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe,
        })
    }

    fn template_name(&self, token: &Item, context: &str) -> Res<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => {
                unquote_name(&token.val).map_err(|e| self.errorf(e))
            }
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn command(&mut self) -> Res<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> Res<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != ItemType::Field {
            return Ok(Some(node));
        }
        let pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().typ == ItemType::Field {
            fields.push(self.next().val[1..].to_string());
        }
        Ok(Some(match node {
            Arg::Field { mut ident, .. } => {
                ident.extend(fields);
                Arg::Field { pos, ident }
            }
            Arg::Variable(mut v) => {
                v.ident.extend(fields);
                Arg::Variable(Var {
                    pos,
                    ident: v.ident,
                })
            }
            Arg::Bool(..) | Arg::String { .. } | Arg::Number(_) | Arg::Nil(_) | Arg::Dot(_) => {
                let shown = super::fmt::quote(node.to_string().as_bytes());
                return Err(self.errorf(format!("unexpected . after term {shown}")));
            }
            other => Arg::Chain {
                pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> Res<Option<Arg>> {
        let token = self.next_non_space();
        Ok(Some(match token.typ {
            ItemType::Identifier => {
                if !super::funcs::is_function(&token.val) {
                    let shown = super::fmt::quote(token.val.as_bytes());
                    return Err(self.errorf(format!("function {shown} not defined")));
                }
                Arg::Identifier {
                    pos: token.pos,
                    name: token.val,
                }
            }
            ItemType::Dot => Arg::Dot(token.pos),
            ItemType::Nil => Arg::Nil(token.pos),
            ItemType::Variable => {
                let v = new_var(token.pos, &token.val);
                if !self.vars.iter().any(|n| *n == v.ident[0]) {
                    let shown = super::fmt::quote(v.ident[0].as_bytes());
                    return Err(self.errorf(format!("undefined variable {shown}")));
                }
                Arg::Variable(v)
            }
            ItemType::Field => Arg::Field {
                pos: token.pos,
                ident: token.val[1..].split('.').map(String::from).collect(),
            },
            ItemType::Bool => Arg::Bool(token.pos, token.val == "true"),
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let n = super::literal::number(token.pos, &token.val, token.typ)
                    .map_err(|e| self.errorf(e))?;
                Arg::Number(n)
            }
            ItemType::LeftParen => {
                if self.stack_depth >= MAX_STACK_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.stack_depth += 1;
                let pipe = self.pipeline("parenthesized pipeline", ItemType::RightParen);
                self.stack_depth -= 1;
                Arg::Pipe(pipe?)
            }
            ItemType::String | ItemType::RawString => {
                let text = super::literal::unquote(&token.val)
                    .ok_or_else(|| self.errorf("invalid syntax"))?;
                Arg::String {
                    pos: token.pos,
                    quoted: token.val,
                    text,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

fn new_var(pos: usize, ident: &str) -> Var {
    Var {
        pos,
        ident: ident.split('.').map(String::from).collect(),
    }
}

fn parsed_name(p: &Parsed) -> String {
    match p {
        Parsed::End => "{{end}}".to_string(),
        Parsed::Else => "{{else}}".to_string(),
        Parsed::Node(n) => n.to_string(),
    }
}

/// `parse.IsEmptyTree`: only blank text.
fn is_empty(list: &List) -> bool {
    list.nodes.iter().all(|n| match n {
        Node::Text(t) => std::str::from_utf8(t).is_ok_and(|s| s.trim().is_empty()),
        _ => false,
    })
}
