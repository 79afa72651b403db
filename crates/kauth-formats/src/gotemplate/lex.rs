//! The scanner: Go's `text/template/parse/lex.go`, one item at a time.
//!
//! Delimiters are always `{{` and `}}` (kubectl sets no others) and
//! comments are dropped, as `template.Parse` does without `ParseComments`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemType {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub typ: ItemType,
    pub pos: usize,
    pub val: String,
    pub line: usize,
}

impl std::fmt::Display for Item {
    /// `item.String()`: how the parser names a token in its errors.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => f.write_str("EOF"),
            ItemType::Error => f.write_str(&self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                write!(f, "{}...", super::fmt::quote(head.as_bytes()))
            }
            _ => f.write_str(&super::fmt::quote(self.val.as_bytes())),
        }
    }
}

fn keyword(word: &str) -> Option<ItemType> {
    Some(match word {
        "." => ItemType::Dot,
        "block" => ItemType::Block,
        "break" => ItemType::Break,
        "continue" => ItemType::Continue,
        "define" => ItemType::Define,
        "else" => ItemType::Else,
        "end" => ItemType::End,
        "if" => ItemType::If,
        "range" => ItemType::Range,
        "nil" => ItemType::Nil,
        "template" => ItemType::Template,
        "with" => ItemType::With,
        _ => return None,
    })
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";
/// A trim marker is `-` with a space after (left) or before (right).
const TRIM_MARKER_LEN: usize = 2;

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

pub(super) struct Lexer<'t> {
    input: &'t str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i64,
    line: usize,
    start_line: usize,
    inside_action: bool,
    /// Set once an error item was returned: everything after is EOF.
    failed: bool,
}

const EOF: Option<char> = None;

fn is_space(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t' | '\r' | '\n'))
}

pub(super) fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && matches!(b[1], b' ' | b'\t' | b'\r' | b'\n')
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && matches!(b[0], b' ' | b'\t' | b'\r' | b'\n') && b[1] == b'-'
}

fn trim_right_len(s: &str) -> usize {
    s.len() - s.trim_end_matches([' ', '\t', '\r', '\n']).len()
}

fn trim_left_len(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t', '\r', '\n']).len()
}

/// `%#U`: `U+0041 'A'` (the character only where printable).
fn sharp_u(c: char) -> String {
    if super::fmt::is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

impl<'t> Lexer<'t> {
    pub fn new(input: &'t str) -> Self {
        Lexer {
            input,
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            inside_action: false,
            failed: false,
        }
    }

    fn next(&mut self) -> Option<char> {
        match self.input[self.pos..].chars().next() {
            None => {
                self.at_eof = true;
                EOF
            }
            Some(c) => {
                self.pos += c.len_utf8();
                if c == '\n' {
                    self.line += 1;
                }
                Some(c)
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn backup(&mut self) {
        if !self.at_eof && self.pos > 0 {
            let c = self.input[..self.pos].chars().next_back().unwrap_or('\0');
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    fn this_item(&mut self, typ: ItemType) -> Item {
        let item = Item {
            typ,
            pos: self.start,
            val: self.input[self.start..self.pos].to_string(),
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    fn ignore(&mut self) {
        self.line += self.input[self.start..self.pos].matches('\n').count();
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while matches!(self.next(), Some(c) if valid.contains(c)) {}
        self.backup();
    }

    fn error(&mut self, message: String) -> Item {
        self.failed = true;
        Item {
            typ: ItemType::Error,
            pos: self.start,
            val: message,
            line: self.start_line,
        }
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.input[self.pos..];
        if has_right_trim_marker(rest) && rest[TRIM_MARKER_LEN..].starts_with(RIGHT) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn at_terminator(&mut self) -> bool {
        let c = self.peek();
        if is_space(c) {
            return true;
        }
        match c {
            None | Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.input[self.pos..].starts_with(RIGHT),
        }
    }

    /// The next item; after an error or the end, EOF forever.
    pub fn next_item(&mut self) -> Item {
        if self.failed {
            return Item {
                typ: ItemType::Eof,
                pos: 0,
                val: "EOF".to_string(),
                line: self.start_line,
            };
        }
        let mut state = if self.inside_action {
            State::InsideAction
        } else {
            State::Text
        };
        loop {
            match self.step(state) {
                Ok(item) => return item,
                Err(next) => state = next,
            }
        }
    }

    /// Runs one state: an item to return, or the state to go on with.
    fn step(&mut self, state: State) -> Result<Item, State> {
        match state {
            State::Text => self.lex_text(),
            State::LeftDelim => self.lex_left_delim(),
            State::Comment => self.lex_comment(),
            State::RightDelim => Ok(self.lex_right_delim()),
            State::InsideAction => self.lex_inside_action(),
            State::Space => self.lex_space(),
            State::Identifier => Ok(self.lex_identifier()),
            State::Field => Ok(self.lex_field_or_variable(ItemType::Field)),
            State::Variable => Ok(self.lex_variable()),
            State::Char => Ok(self.lex_quote('\'', "unterminated character constant")),
            State::Number => Ok(self.lex_number()),
            State::Quote => Ok(self.lex_quote('"', "unterminated quoted string")),
            State::RawQuote => Ok(self.lex_raw_quote()),
        }
    }

    fn lex_text(&mut self) -> Result<Item, State> {
        if let Some(x) = self.input[self.pos..].find(LEFT) {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + LEFT.len();
                let trim = if has_left_trim_marker(&self.input[delim_end..]) {
                    trim_right_len(&self.input[self.start..self.pos])
                } else {
                    0
                };
                self.pos -= trim;
                self.line += self.input[self.start..self.pos].matches('\n').count();
                let item = self.this_item(ItemType::Text);
                self.pos += trim;
                self.ignore();
                if !item.val.is_empty() {
                    return Ok(item);
                }
            }
            return Err(State::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += self.input[self.start..self.pos].matches('\n').count();
            return Ok(self.this_item(ItemType::Text));
        }
        Ok(self.this_item(ItemType::Eof))
    }

    fn lex_left_delim(&mut self) -> Result<Item, State> {
        self.pos += LEFT.len();
        let trim = has_left_trim_marker(&self.input[self.pos..]);
        let after_marker = if trim { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return Err(State::Comment);
        }
        let item = self.this_item(ItemType::LeftDelim);
        self.inside_action = true;
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        Ok(item)
    }

    fn lex_comment(&mut self) -> Result<Item, State> {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.input[self.pos..].find(RIGHT_COMMENT) else {
            return Ok(self.error("unclosed comment".to_string()));
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return Ok(self.error("comment ends before closing delimiter".to_string()));
        }
        self.line += self.input[self.start..self.pos].matches('\n').count();
        let _comment = self.this_item(ItemType::Text);
        if trim {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += RIGHT.len();
        if trim {
            self.pos += trim_left_len(&self.input[self.pos..]);
        }
        self.ignore();
        Err(State::Text)
    }

    fn lex_right_delim(&mut self) -> Item {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += RIGHT.len();
        let item = self.this_item(ItemType::RightDelim);
        if trim {
            self.pos += trim_left_len(&self.input[self.pos..]);
            self.ignore();
        }
        self.inside_action = false;
        item
    }

    fn lex_inside_action(&mut self) -> Result<Item, State> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return Err(State::RightDelim);
            }
            return Ok(self.error("unclosed left paren".to_string()));
        }
        let c = self.next();
        Ok(match c {
            None => self.error("unclosed action".to_string()),
            _ if is_space(c) => {
                self.backup();
                return Err(State::Space);
            }
            Some('=') => self.this_item(ItemType::Assign),
            Some(':') => {
                if self.next() != Some('=') {
                    return Ok(self.error("expected :=".to_string()));
                }
                self.this_item(ItemType::Declare)
            }
            Some('|') => self.this_item(ItemType::Pipe),
            Some('"') => return Err(State::Quote),
            Some('`') => return Err(State::RawQuote),
            Some('$') => return Err(State::Variable),
            Some('\'') => return Err(State::Char),
            Some('.') => {
                let next = self.input.as_bytes().get(self.pos);
                if next.is_some_and(|b| !b.is_ascii_digit()) {
                    return Err(State::Field);
                }
                self.backup();
                return Err(State::Number);
            }
            Some('+' | '-' | '0'..='9') => {
                self.backup();
                return Err(State::Number);
            }
            Some(c) if is_alphanumeric(c) => {
                self.backup();
                return Err(State::Identifier);
            }
            Some('(') => {
                self.paren_depth += 1;
                self.this_item(ItemType::LeftParen)
            }
            Some(')') => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return Ok(self.error("unexpected right paren".to_string()));
                }
                self.this_item(ItemType::RightParen)
            }
            Some(c) if c.is_ascii() && !c.is_ascii_control() => self.this_item(ItemType::Char),
            Some(c) => self.error(format!("unrecognized character in action: {}", sharp_u(c))),
        })
    }

    fn lex_space(&mut self) -> Result<Item, State> {
        let mut spaces = 0;
        while is_space(self.peek()) {
            self.next();
            spaces += 1;
        }
        let before = &self.input[self.pos - 1..];
        if has_right_trim_marker(before) && before[TRIM_MARKER_LEN..].starts_with(RIGHT) {
            self.backup();
            if spaces == 1 {
                return Err(State::RightDelim);
            }
        }
        Ok(self.this_item(ItemType::Space))
    }

    fn lex_identifier(&mut self) -> Item {
        loop {
            match self.next() {
                Some(c) if is_alphanumeric(c) => {}
                c => {
                    self.backup();
                    let word = &self.input[self.start..self.pos];
                    if !self.at_terminator() {
                        return self.bad_character(c);
                    }
                    let typ = match keyword(word) {
                        Some(k) => k,
                        None if word.starts_with('.') => ItemType::Field,
                        None if word == "true" || word == "false" => ItemType::Bool,
                        None => ItemType::Identifier,
                    };
                    return self.this_item(typ);
                }
            }
        }
    }

    fn bad_character(&mut self, c: Option<char>) -> Item {
        let shown = match c {
            Some(c) => sharp_u(c),
            // Go's %#U of eof (-1).
            None => "U+FFFFFFFFFFFFFFFF".to_string(),
        };
        self.error(format!("bad character {shown}"))
    }

    fn lex_variable(&mut self) -> Item {
        if self.at_terminator() {
            return self.this_item(ItemType::Variable);
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> Item {
        if self.at_terminator() {
            return self.this_item(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            });
        }
        let mut c;
        loop {
            c = self.next();
            if !c.is_some_and(is_alphanumeric) {
                self.backup();
                break;
            }
        }
        if !self.at_terminator() {
            return self.bad_character(c);
        }
        self.this_item(typ)
    }

    fn lex_quote(&mut self, quote: char, unterminated: &str) -> Item {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    None | Some('\n') => return self.error(unterminated.to_string()),
                    _ => {}
                },
                None | Some('\n') => return self.error(unterminated.to_string()),
                Some(c) if c == quote => break,
                _ => {}
            }
        }
        self.this_item(if quote == '"' {
            ItemType::String
        } else {
            ItemType::CharConstant
        })
    }

    fn lex_raw_quote(&mut self) -> Item {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".to_string()),
                Some('`') => break,
                _ => {}
            }
        }
        self.this_item(ItemType::RawString)
    }

    fn lex_number(&mut self) -> Item {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_string();
            return self.error(format!(
                "bad number syntax: {}",
                super::fmt::quote(text.as_bytes())
            ));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let text = self.input[self.start..self.pos].to_string();
                return self.error(format!(
                    "bad number syntax: {}",
                    super::fmt::quote(text.as_bytes())
                ));
            }
            return self.this_item(ItemType::Complex);
        }
        self.this_item(ItemType::Number)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }
}
