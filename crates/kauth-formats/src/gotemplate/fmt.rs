//! Go's `fmt` (`Sprint`, `Sprintln`, `Sprintf`: `print.go`, `format.go`)
//! and the `strconv` pieces it uses (`Quote`, `FormatFloat`), for the
//! values a template handles. Flags, widths, precisions, argument indexes
//! (`%[2]d`, `*`) and the mistakes (`%!d(string=x)`, `%!v(MISSING)`,
//! `%!(EXTRA ...)`) are Go's.

use super::value::Value;

const LOWER: &[u8; 17] = b"0123456789abcdefx";
const UPPER: &[u8; 17] = b"0123456789ABCDEFX";

/// `fmt.Sprint`: a space between operands when neither is a string.
pub(super) fn sprint(args: &[Value]) -> Vec<u8> {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::Str(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// `fmt.Sprintln`: spaces between all operands, a newline after.
pub(super) fn sprintln(args: &[Value]) -> Vec<u8> {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
    }
    p.buf.push(b'\n');
    p.buf
}

/// `fmt.Sprintf`.
pub(super) fn sprintf(format: &[u8], args: &[Value]) -> Vec<u8> {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

#[derive(Default, Clone, Copy)]
struct Flags {
    wid_present: bool,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: usize,
    prec: usize,
}

#[derive(Default)]
struct Printer {
    buf: Vec<u8>,
    f: Flags,
    reordered: bool,
    good_arg_num: bool,
}

/// Go's `utf8.DecodeRune`: the character, or `None` for a byte that
/// starts no valid encoding (width 1).
pub(super) fn decode_rune(b: &[u8]) -> (Option<char>, usize) {
    let Some(&first) = b.first() else {
        return (None, 0);
    };
    if first < 0x80 {
        return (Some(first as char), 1);
    }
    let width = match first {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (None, 1),
    };
    match b.get(..width).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next(), width),
        None => (None, 1),
    }
}

fn rune_count(b: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        i += decode_rune(&b[i..]).1;
        n += 1;
    }
    n
}

/// `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and
/// the ASCII space.
pub(super) fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    // Rust escapes exactly the characters of categories C and Z (after a
    // base character, so combining marks stay).
    let probe: String = ['a', c].iter().collect();
    probe.escape_debug().count() == probe.chars().count()
}

/// `strconv.Quote`.
pub(super) fn quote(s: &[u8]) -> String {
    String::from_utf8_lossy(&quote_with(s, b'"', false)).into_owned()
}

fn quote_with(s: &[u8], q: u8, ascii_only: bool) -> Vec<u8> {
    let mut out = vec![q];
    let mut i = 0;
    while i < s.len() {
        let (c, width) = decode_rune(&s[i..]);
        match c {
            None => out.extend_from_slice(format!("\\x{:02x}", s[i]).as_bytes()),
            Some(c) => escape_rune(&mut out, c, q, ascii_only),
        }
        i += width;
    }
    out.push(q);
    out
}

fn escape_rune(out: &mut Vec<u8>, c: char, q: u8, ascii_only: bool) {
    let mut tmp = [0u8; 4];
    if c as u32 == q as u32 || c == '\\' {
        out.push(b'\\');
        out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c as u8);
            return;
        }
    } else if is_print(c) {
        out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        return;
    }
    let text = match c {
        '\x07' => "\\a".to_string(),
        '\x08' => "\\b".to_string(),
        '\x0c' => "\\f".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        '\x0b' => "\\v".to_string(),
        c if c < ' ' || c == '\x7f' => format!("\\x{:02x}", c as u32),
        c if (c as u32) < 0x10000 => format!("\\u{:04x}", c as u32),
        c => format!("\\U{:08x}", c as u32),
    };
    out.extend_from_slice(text.as_bytes());
}

fn quote_rune(r: u64, ascii_only: bool) -> Vec<u8> {
    let c = u32::try_from(r)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}');
    let mut out = vec![b'\''];
    escape_rune(&mut out, c, b'\'', ascii_only);
    out.push(b'\'');
    out
}

/// `strconv.CanBackquote`.
fn can_backquote(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        let (c, width) = decode_rune(&s[i..]);
        match c {
            None => return false,
            Some('`' | '\u{feff}') => return false,
            Some(c) if width == 1 && (c < ' ' && c != '\t' || c == '\x7f') => return false,
            _ => {}
        }
        i += width;
    }
    true
}

/// Decimal digits of a float: `digits` without leading or trailing zeros
/// (empty for zero) and the decimal point's place.
struct Decimal {
    digits: Vec<u8>,
    dp: i64,
}

/// From Rust's scientific form (`1.25e3`, `0e0`), exact as strconv's.
fn decimal_from_sci(s: &str) -> Decimal {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return Decimal { digits, dp: 0 };
    }
    Decimal {
        digits,
        dp: exp + 1,
    }
}

fn fmt_e(out: &mut Vec<u8>, d: &Decimal, prec: i64, e: u8) {
    out.push(d.digits.first().copied().unwrap_or(b'0'));
    if prec > 0 {
        out.push(b'.');
        let mut i = 1usize;
        let m = d.digits.len().min(prec as usize + 1);
        if i < m {
            out.extend_from_slice(&d.digits[i..m]);
            i = m;
        }
        while i as i64 <= prec {
            out.push(b'0');
            i += 1;
        }
    }
    out.push(e);
    let mut exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { b'-' } else { b'+' });
    exp = exp.abs();
    if exp < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(exp.to_string().as_bytes());
}

fn fmt_f(out: &mut Vec<u8>, d: &Decimal, prec: i64) {
    if d.dp > 0 {
        let m = d.digits.len().min(d.dp as usize);
        out.extend_from_slice(&d.digits[..m]);
        for _ in m..d.dp as usize {
            out.push(b'0');
        }
    } else {
        out.push(b'0');
    }
    if prec > 0 {
        out.push(b'.');
        for i in 1..=prec {
            let j = d.dp + i - 1;
            let c = if (0..d.digits.len() as i64).contains(&j) {
                d.digits[j as usize]
            } else {
                b'0'
            };
            out.push(c);
        }
    }
}

/// `strconv.FormatFloat(v, verb, prec, 64)`; `prec < 0` is the shortest
/// form that reads back the same.
pub(crate) fn format_float(v: f64, verb: char, prec: i64) -> Vec<u8> {
    let mut out = Vec::new();
    if v.is_nan() {
        return b"NaN".to_vec();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            b"+Inf".to_vec()
        } else {
            b"-Inf".to_vec()
        };
    }
    if v.is_sign_negative() {
        out.push(b'-');
    }
    let a = v.abs();
    match verb {
        'b' => {
            let (mant, exp) = mantissa_exponent(v);
            out.extend_from_slice(format!("{mant}p{:+}", exp - 52).as_bytes());
        }
        'x' | 'X' => fmt_x(&mut out, v, prec, verb),
        'e' | 'E' => {
            let d = if prec < 0 {
                decimal_from_sci(&format!("{a:e}"))
            } else {
                decimal_from_sci(&format!("{a:.*e}", prec as usize))
            };
            let prec = if prec < 0 {
                (d.digits.len() as i64 - 1).max(0)
            } else {
                prec
            };
            fmt_e(&mut out, &d, prec, verb as u8);
        }
        'f' => {
            if prec < 0 {
                let d = decimal_from_sci(&format!("{a:e}"));
                let prec = (d.digits.len() as i64 - d.dp).max(0);
                fmt_f(&mut out, &d, prec);
            } else {
                out.extend_from_slice(format!("{a:.*}", prec as usize).as_bytes());
            }
        }
        _ => {
            // 'g', 'G'
            let shortest = prec < 0;
            let d = if shortest {
                decimal_from_sci(&format!("{a:e}"))
            } else {
                let p = prec.max(1);
                decimal_from_sci(&format!("{a:.*e}", (p - 1) as usize))
            };
            let nd = d.digits.len() as i64;
            let mut prec = if shortest { nd } else { prec.max(1) };
            let mut eprec = prec;
            if eprec > nd && nd >= d.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.dp - 1;
            let e = if verb == 'G' { b'E' } else { b'e' };
            if exp < -4 || exp >= eprec {
                if prec > nd {
                    prec = nd;
                }
                fmt_e(&mut out, &d, prec - 1, e);
            } else {
                if prec > d.dp {
                    prec = nd;
                }
                fmt_f(&mut out, &d, (prec - d.dp).max(0));
            }
        }
    }
    out
}

/// The mantissa with its implicit bit and the unbiased exponent.
fn mantissa_exponent(v: f64) -> (u64, i64) {
    let bits = v.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    (mant, exp - 1023)
}

/// strconv's `fmtX`: `0x1.8p+01`.
fn fmt_x(out: &mut Vec<u8>, v: f64, prec: i64, verb: char) {
    let (mut mant, mut exp) = mantissa_exponent(v);
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex = if verb == 'X' { UPPER } else { LOWER };
    out.extend_from_slice(&[b'0', verb as u8, b'0' + ((mant >> 60) & 1) as u8]);
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push(b'.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push(b'.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    }
    out.push(if verb == 'X' { b'P' } else { b'p' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    let exp = exp.abs();
    if exp < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(exp.to_string().as_bytes());
}

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let pad = if self.f.zero && !self.f.minus {
            b'0'
        } else {
            b' '
        };
        self.buf.extend(std::iter::repeat_n(pad, n));
    }

    fn pad(&mut self, b: &[u8]) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.buf.extend_from_slice(b);
            return;
        }
        let width = self.f.wid.saturating_sub(rune_count(b));
        if !self.f.minus {
            self.write_padding(width);
            self.buf.extend_from_slice(b);
        } else {
            self.buf.extend_from_slice(b);
            self.write_padding(width);
        }
    }

    fn fmt_boolean(&mut self, v: bool) {
        self.pad(if v { b"true" } else { b"false" });
    }

    fn fmt_unicode(&mut self, u: u64) {
        let mut prec = 4;
        if self.f.prec_present && self.f.prec > 4 {
            prec = self.f.prec;
        }
        let mut s = format!("U+{:0prec$X}", u);
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && is_print(c)
        {
            s.push_str(&format!(" '{c}'"));
        }
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad(s.as_bytes());
        self.f.zero = zero;
    }

    fn fmt_integer(&mut self, u: u64, base: u64, signed: bool, verb: char, digits: &[u8; 17]) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut prec = 0usize;
        if self.f.prec_present {
            prec = self.f.prec;
            if prec == 0 && u == 0 {
                let zero = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid);
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.f.wid;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut rev: Vec<u8> = Vec::new();
        loop {
            rev.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(digits[16]);
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad(&rev);
        self.f.zero = zero;
    }

    fn truncate<'b>(&self, s: &'b [u8]) -> &'b [u8] {
        if self.f.prec_present {
            let mut n = self.f.prec;
            let mut i = 0;
            while i < s.len() {
                if n == 0 {
                    return &s[..i];
                }
                n -= 1;
                i += decode_rune(&s[i..]).1;
            }
        }
        s
    }

    fn fmt_s(&mut self, s: &[u8]) {
        let s = self.truncate(s).to_vec();
        self.pad(&s);
    }

    fn fmt_sx(&mut self, s: &[u8], digits: &[u8; 17]) {
        let mut length = s.len();
        if self.f.prec_present && self.f.prec < length {
            length = self.f.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                self.write_padding(self.f.wid);
            }
            return;
        }
        if self.f.wid_present && self.f.wid > width && !self.f.minus {
            self.write_padding(self.f.wid - width);
        }
        if self.f.sharp {
            self.buf.extend_from_slice(&[b'0', digits[16]]);
        }
        for (i, &c) in s[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(b' ');
                if self.f.sharp {
                    self.buf.extend_from_slice(&[b'0', digits[16]]);
                }
            }
            self.buf
                .extend_from_slice(&[digits[(c >> 4) as usize], digits[(c & 15) as usize]]);
        }
        if self.f.wid_present && self.f.wid > width && self.f.minus {
            self.write_padding(self.f.wid - width);
        }
    }

    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s).to_vec();
        if self.f.sharp && can_backquote(&s) {
            let mut q = vec![b'`'];
            q.extend_from_slice(&s);
            q.push(b'`');
            self.pad(&q);
            return;
        }
        let q = quote_with(&s, b'"', self.f.plus);
        self.pad(&q);
    }

    fn fmt_c(&mut self, c: u64) {
        let c = u32::try_from(c)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{fffd}');
        let mut tmp = [0u8; 4];
        let s = c.encode_utf8(&mut tmp).as_bytes().to_vec();
        self.pad(&s);
    }

    fn fmt_qc(&mut self, c: u64) {
        let q = quote_rune(c, self.f.plus);
        self.pad(&q);
    }

    fn fmt_float_with(&mut self, v: f64, verb: char, prec: i64) {
        let prec = if self.f.prec_present {
            self.f.prec as i64
        } else {
            prec
        };
        let formatted = format_float(v, verb, prec);
        let mut num: Vec<u8> = Vec::with_capacity(formatted.len() + 1);
        if formatted[0] == b'-' || formatted[0] == b'+' {
            num.extend_from_slice(&formatted);
        } else {
            num.push(b'+');
            num.extend_from_slice(&formatted);
        }
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        if num[1] == b'I' || num[1] == b'N' {
            let zero = self.f.zero;
            self.f.zero = false;
            if num[1] == b'N' && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.f.zero = zero;
            return;
        }
        if self.f.sharp && verb != 'b' {
            let mut digits: i64 = match verb {
                'v' | 'g' | 'G' | 'x' => {
                    if prec == -1 {
                        6
                    } else {
                        prec
                    }
                }
                _ => 0,
            };
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    b'e' | b'E' if verb != 'x' && verb != 'X' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        if self.f.plus || num[0] != b'+' {
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > num.len() {
                self.buf.push(num[0]);
                self.write_padding(self.f.wid - num.len());
                self.buf.extend_from_slice(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    fn bad_verb(&mut self, arg: &Value, verb: char) {
        self.buf.extend_from_slice(b"%!");
        push_char(&mut self.buf, verb);
        self.buf.push(b'(');
        if arg.is_valid() {
            self.buf.extend_from_slice(arg.type_name().as_bytes());
            self.buf.push(b'=');
            self.print_arg(arg, 'v');
        } else {
            self.buf.extend_from_slice(b"<nil>");
        }
        self.buf.push(b')');
    }

    fn fmt_float(&mut self, arg: &Value, v: f64, verb: char) {
        match verb {
            'v' => self.fmt_float_with(v, 'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_with(v, verb, -1),
            'f' | 'e' | 'E' => self.fmt_float_with(v, verb, 6),
            'F' => self.fmt_float_with(v, 'f', 6),
            _ => self.bad_verb(arg, verb),
        }
    }

    fn fmt_int(&mut self, arg: &Value, v: u64, signed: bool, verb: char) {
        match verb {
            'v' if self.f.sharp_v && !signed => {
                let sharp = self.f.sharp;
                self.f.sharp = true;
                self.fmt_integer(v, 16, false, 'v', LOWER);
                self.f.sharp = sharp;
            }
            'v' | 'd' => self.fmt_integer(v, 10, signed, verb, LOWER),
            'b' => self.fmt_integer(v, 2, signed, verb, LOWER),
            'o' | 'O' => self.fmt_integer(v, 8, signed, verb, LOWER),
            'x' => self.fmt_integer(v, 16, signed, verb, LOWER),
            'X' => self.fmt_integer(v, 16, signed, verb, UPPER),
            'c' => self.fmt_c(v),
            'q' => self.fmt_qc(v),
            'U' => self.fmt_unicode(v),
            _ => self.bad_verb(arg, verb),
        }
    }

    fn fmt_string(&mut self, arg: &Value, s: &[u8], verb: char) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sx(s, LOWER),
            'X' => self.fmt_sx(s, UPPER),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(arg, verb),
        }
    }

    /// `printArg`: one operand (`Invalid` is a nil interface).
    fn print_arg(&mut self, arg: &Value, verb: char) {
        let arg = &arg.concrete();
        if !arg.is_valid() {
            match verb {
                'T' | 'v' => self.pad(b"<nil>"),
                _ => self.bad_verb(arg, verb),
            }
            return;
        }
        match verb {
            'T' => return self.fmt_s(arg.type_name().as_bytes()),
            'p' | 'w' if verb == 'w' || !matches!(arg, Value::List(_) | Value::Map(_)) => {
                return self.bad_verb(arg, verb);
            }
            _ => {}
        }
        self.print_value(arg, verb, 0);
    }

    /// `printValue`: maps in key order, lists in brackets, each element
    /// with the same verb and flags.
    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        match v {
            Value::Invalid => {
                if depth == 0 {
                    self.buf.extend_from_slice(b"<invalid reflect.Value>");
                } else if verb == 'v' {
                    self.buf.extend_from_slice(b"<nil>");
                } else {
                    self.bad_verb(v, verb);
                }
            }
            Value::Elem(serde_json::Value::Null) => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(b"interface {}(nil)");
                } else {
                    self.buf.extend_from_slice(b"<nil>");
                }
            }
            Value::Elem(_) => self.print_value(&v.concrete(), verb, depth + 1),
            Value::Bool(b) => match verb {
                't' | 'v' => self.fmt_boolean(*b),
                _ => self.bad_verb(v, verb),
            },
            Value::Int(i) | Value::Int64(i) => self.fmt_int(v, *i as u64, true, verb),
            Value::Byte(b) => self.fmt_int(v, *b as u64, false, verb),
            Value::Float(f) => self.fmt_float(v, *f, verb),
            Value::Complex(re, im) => match verb {
                'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E' => {
                    let plus = self.f.plus;
                    self.buf.push(b'(');
                    self.fmt_float(v, *re, verb);
                    self.f.plus = true;
                    self.fmt_float(v, *im, verb);
                    self.buf.extend_from_slice(b"i)");
                    self.f.plus = plus;
                }
                _ => self.bad_verb(v, verb),
            },
            Value::Str(s) => self.fmt_string(v, s, verb),
            Value::Map(m) => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(b"map[string]interface {}{");
                } else {
                    self.buf.extend_from_slice(b"map[");
                }
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        if self.f.sharp_v {
                            self.buf.extend_from_slice(b", ");
                        } else {
                            self.buf.push(b' ');
                        }
                    }
                    self.print_value(&Value::str(k), verb, depth + 1);
                    self.buf.push(b':');
                    self.print_value(&Value::Elem(&m[k]), verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
            Value::List(list) => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(b"[]interface {}{");
                } else {
                    self.buf.push(b'[');
                }
                for (i, item) in list.iter().enumerate() {
                    if i > 0 {
                        if self.f.sharp_v {
                            self.buf.extend_from_slice(b", ");
                        } else {
                            self.buf.push(b' ');
                        }
                    }
                    self.print_value(&item, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
        }
    }

    fn do_printf(&mut self, format: &[u8], args: &[Value]) {
        let end = format.len();
        let mut arg_num = 0usize;
        let mut after_index;
        self.reordered = false;
        let mut i = 0;
        'format: while i < end {
            self.good_arg_num = true;
            let last = i;
            while i < end && format[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.extend_from_slice(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                let c = format[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            if c == b'v' || c == b'w' {
                                self.f.sharp_v = self.f.sharp;
                                self.f.sharp = false;
                                self.f.plus_v = self.f.plus;
                                self.f.plus = false;
                            }
                            self.print_arg(&args[arg_num], c as char);
                            arg_num += 1;
                            i += 1;
                            continue 'format;
                        }
                        break;
                    }
                }
                i += 1;
            }
            (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
            if i < end && format[i] == b'*' {
                i += 1;
                let (n, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                self.f.wid_present = ok;
                if !ok {
                    self.buf.extend_from_slice(b"%!(BADWIDTH)");
                }
                if n < 0 {
                    self.f.wid = n.unsigned_abs() as usize;
                    self.f.minus = true;
                    self.f.zero = false;
                } else {
                    self.f.wid = n as usize;
                }
                after_index = false;
            } else {
                let (n, ok, next) = parse_num(format, i, end);
                self.f.wid = n;
                self.f.wid_present = ok;
                i = next;
                if after_index && ok {
                    self.good_arg_num = false;
                }
            }
            if i + 1 < end && format[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
                if i < end && format[i] == b'*' {
                    i += 1;
                    let (n, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    self.f.prec_present = ok;
                    self.f.prec = n.max(0) as usize;
                    if n < 0 {
                        self.f.prec_present = false;
                    }
                    if !self.f.prec_present {
                        self.buf.extend_from_slice(b"%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (n, ok, next) = parse_num(format, i, end);
                    i = next;
                    self.f.prec = if ok { n } else { 0 };
                    self.f.prec_present = true;
                }
            }
            if !after_index {
                (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
            }
            let _ = after_index;
            if i >= end {
                self.buf.extend_from_slice(b"%!(NOVERB)");
                break;
            }
            let (c, size) = decode_rune(&format[i..]);
            let verb = c.unwrap_or('\u{fffd}');
            i += size;
            if verb == '%' {
                self.buf.push(b'%');
            } else if !self.good_arg_num {
                self.buf.extend_from_slice(b"%!");
                push_char(&mut self.buf, verb);
                self.buf.extend_from_slice(b"(BADINDEX)");
            } else if arg_num >= args.len() {
                self.buf.extend_from_slice(b"%!");
                push_char(&mut self.buf, verb);
                self.buf.extend_from_slice(b"(MISSING)");
            } else {
                if verb == 'v' || verb == 'w' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }
        if !self.reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.extend_from_slice(b"%!(EXTRA ");
            for (i, arg) in args[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.buf.extend_from_slice(b", ");
                }
                let arg = arg.concrete();
                if !arg.is_valid() {
                    self.buf.extend_from_slice(b"<nil>");
                } else {
                    self.buf.extend_from_slice(arg.type_name().as_bytes());
                    self.buf.push(b'=');
                    self.print_arg(&arg, 'v');
                }
            }
            self.buf.push(b')');
        }
    }

    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &[u8],
        i: usize,
        num_args: usize,
    ) -> (usize, usize, bool) {
        if format.len() <= i || format[i] != b'[' {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(&format[i..]);
        if ok && index < num_args {
            return (index, i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }
}

fn push_char(buf: &mut Vec<u8>, c: char) {
    let mut tmp = [0u8; 4];
    buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
}

fn too_large(x: usize) -> bool {
    x > 1_000_000
}

/// `parsenum`: digits at `start`, as long as they stay under a million.
fn parse_num(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num = 0usize;
    let mut isnum = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if too_large(num) {
            return (0, false, end);
        }
        num = num * 10 + (s[i] - b'0') as usize;
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

/// `parseArgNumber`: `[n]` at the start; the index, the width taken, ok.
fn parse_arg_number(format: &[u8]) -> (usize, usize, bool) {
    if format.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..format.len() {
        if format[i] == b']' {
            let (width, ok, newi) = parse_num(format, 1, i);
            if !ok || newi != i || width == 0 {
                // Go computes width-1 (−1 for `[0]`), an index out of range.
                return (usize::MAX, i + 1, ok && newi == i);
            }
            return (width - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// `intFromArg`: a `*` width or precision from the operands.
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    let mut next = arg_num;
    let mut num = 0i64;
    let mut is_int = false;
    if let Some(arg) = args.get(arg_num) {
        match arg.concrete() {
            Value::Int(i) | Value::Int64(i) => {
                num = i;
                is_int = true;
            }
            Value::Byte(b) => {
                num = b as i64;
                is_int = true;
            }
            _ => {}
        }
        next = arg_num + 1;
        if !(-1_000_000..=1_000_000).contains(&num) {
            num = 0;
            is_int = false;
        }
    }
    (num, is_int, next)
}
