//! Reading the driver's trace: one line per call,
//! `STEP@OFFSET CALL(ARGS) -> ERRNO [=VALUE…] wCHANGED:HASH`, between an
//! `input N bytes, memory P pages` line and `end`, each preceded on stdout
//! by the input's mark (`mark`). Anything else on stdout is what the
//! program wrote there with fd_write, wherever it landed: it becomes lines
//! of its own, so it can neither hide nor garble a trace line.
//!
//! Lines are parsed here, once, into typed values (a call's arguments,
//! returned values and arena changes); the judges work on those.

use std::fmt;

/// A line of stdout, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// As printed, without the mark.
    pub text: String,
    pub kind: Kind,
}

/// What a line of stdout is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// What the program itself wrote (no mark).
    Output,
    /// `input N bytes, memory P pages`: the driver's first line.
    Start {
        input_len: usize,
        memory_pages: u64,
    },
    Call(Call),
    /// `STEP@AT proc_exit(CODE)`: printed just before the driver exits.
    Exit {
        step: u32,
        at: usize,
        code: u32,
    },
    /// Any other marked line: `end`, or one cut short.
    Marked,
}

impl Line {
    pub fn call(&self) -> Option<&Call> {
        match &self.kind {
            Kind::Call(call) => Some(call),
            _ => None,
        }
    }

    pub fn into_call(self) -> Option<Call> {
        match self.kind {
            Kind::Call(call) => Some(call),
            _ => None,
        }
    }

    /// The `STEP@AT` of a call's line or of the final `proc_exit`.
    pub fn position(&self) -> Option<(u32, usize)> {
        match &self.kind {
            Kind::Call(call) => Some((call.step, call.at)),
            Kind::Exit { step, at, .. } => Some((*step, *at)),
            _ => None,
        }
    }

    pub fn is_start(&self) -> bool {
        matches!(self.kind, Kind::Start { .. })
    }
}

/// A call line, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub step: u32,
    /// Input offset of the call's opcode: cutting the input here stops the
    /// driver just before this call.
    pub at: usize,
    /// `fd_read`, `path_open`…
    pub name: String,
    pub args: Vec<Arg>,
    pub errno: i32,
    /// The values it returned (`=N`), in order.
    pub returned: Vec<u64>,
    /// How many arena bytes it changed (`wN`), and the hash of those changes.
    pub changed: u64,
    pub hash: u64,
}

/// A pointer argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ptr {
    /// `a+N`: an offset in the driver's arena.
    Arena(u32),
    /// `wild0x…`: an address past any memory.
    Wild(u32),
}

/// One argument of a call, as the driver prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An fd, length, count, size, time, file offset… (decimal).
    Number(i128),
    /// Flags or rights (hex).
    Bits(u64),
    Pointer(Ptr),
    /// `PTR "SHOWN"`: a path the driver wrote at the pointer, as it shows it.
    Path(Ptr, String),
    /// `PTR [ITEM…]`: an array the driver filled at the pointer.
    Array(Ptr, Vec<Item>),
}

/// An entry of an array argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// An iovec: `PTR:LEN`.
    Buffer(Ptr, u32),
    /// A poll subscription: `KIND(ARGS)`.
    Subscription(String, Vec<Arg>),
}

impl Call {
    /// Every pointer the call passes, in the order printed (an array's own
    /// before its buffers').
    pub fn pointers(&self) -> impl Iterator<Item = Ptr> + '_ {
        self.args.iter().flat_map(|arg| {
            let (own, items): (Option<Ptr>, &[Item]) = match arg {
                Arg::Pointer(ptr) | Arg::Path(ptr, _) => (Some(*ptr), &[]),
                Arg::Array(ptr, items) => (Some(*ptr), items),
                Arg::Number(_) | Arg::Bits(_) => (None, &[]),
            };
            own.into_iter().chain(items.iter().filter_map(|item| match item {
                Item::Buffer(ptr, _) => Some(*ptr),
                Item::Subscription(..) => None,
            }))
        })
    }

    /// The arena offsets among `pointers`.
    pub fn arena_offsets(&self) -> impl Iterator<Item = u64> + '_ {
        self.pointers().filter_map(|ptr| match ptr {
            Ptr::Arena(offset) => Some(u64::from(offset)),
            Ptr::Wild(_) => None,
        })
    }

    /// Every decimal number among the arguments, iovec lengths and poll
    /// subscriptions' values included.
    pub fn numbers(&self) -> impl Iterator<Item = i128> + '_ {
        fn of(args: &[Arg]) -> Vec<i128> {
            let mut numbers = Vec::new();
            for arg in args {
                match arg {
                    Arg::Number(n) => numbers.push(*n),
                    Arg::Array(_, items) => {
                        for item in items {
                            match item {
                                Item::Buffer(_, len) => numbers.push(i128::from(*len)),
                                Item::Subscription(_, values) => numbers.extend(of(values)),
                            }
                        }
                    }
                    Arg::Bits(_) | Arg::Pointer(_) | Arg::Path(..) => {}
                }
            }
            numbers
        }
        of(&self.args).into_iter()
    }

    /// The same call made: same name and arguments.
    pub fn same_call(&self, other: &Call) -> bool {
        self.name == other.name && self.args == other.args
    }

    /// The call with its arguments, as printed: `CALL(ARGS)`.
    pub fn made(&self) -> String {
        format!("{}({})", self.name, Joined(&self.args, ", "))
    }

    /// What the call returned, without its arena changes: `=N =M`.
    pub fn shown_returned(&self) -> String {
        self.returned.iter().map(|value| format!("={value}")).collect::<Vec<_>>().join(" ")
    }

    /// What followed the errno: returned values and the arena changes.
    pub fn result(&self) -> String {
        let changes = format!("w{}:{:016x}", self.changed, self.hash);
        if self.returned.is_empty() { changes } else { format!("{} {changes}", self.shown_returned()) }
    }
}

/// The call as one line: `STEP@AT CALL(ARGS) -> ERRNO RESULT`, as the driver
/// prints it.
impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{} {} -> {} {}", self.step, self.at, self.made(), self.errno, self.result())
    }
}

impl fmt::Display for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ptr::Arena(offset) => write!(f, "a+{offset}"),
            Ptr::Wild(address) => write!(f, "wild{address:#x}"),
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Number(n) => write!(f, "{n}"),
            Arg::Bits(bits) => write!(f, "{bits:#x}"),
            Arg::Pointer(ptr) => write!(f, "{ptr}"),
            Arg::Path(ptr, shown) => write!(f, "{ptr} \"{shown}\""),
            // The driver separates iovecs by spaces, subscriptions by commas.
            Arg::Array(ptr, items) => {
                let separator = if items.iter().all(|item| matches!(item, Item::Buffer(..))) { " " } else { ", " };
                write!(f, "{ptr} [{}]", Joined(items, separator))
            }
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Buffer(ptr, len) => write!(f, "{ptr}:{len}"),
            Item::Subscription(kind, values) => write!(f, "{kind}({})", Joined(values, ", ")),
        }
    }
}

struct Joined<'a, T>(&'a [T], &'a str);

impl<T: fmt::Display> fmt::Display for Joined<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(self.1)?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

/// What starts each of the driver's trace lines for `input`: RS and the
/// input's 32-bit FNV-1a hash in hex, then a space.
pub fn mark(input: &[u8]) -> String {
    let hash = input.iter().fold(0x811c_9dc5u32, |hash, byte| (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193));
    format!("\u{1e}{hash:08x} ")
}

/// Splits the stdout of a run on `input` into trace lines (without their
/// mark) and, between them, whatever else the program wrote.
pub fn parse(stdout: &[u8], input: &[u8]) -> Vec<Line> {
    let text = String::from_utf8_lossy(stdout);
    let mark = mark(input);
    let mut lines = Vec::new();
    let mut rest: &str = &text;
    while !rest.is_empty() {
        let Some(at) = rest.find(&mark) else {
            lines.extend(program_output(rest));
            break;
        };
        lines.extend(program_output(&rest[..at]));
        let after = &rest[at + mark.len()..];
        let end = after.find('\n').map_or(after.len(), |newline| newline + 1);
        lines.push(parse_line(&after[..end]));
        rest = &after[end..];
    }
    lines
}

/// One trace line's text (after its mark), parsed.
pub fn parse_line(text: &str) -> Line {
    let bare = text.trim_end_matches('\n');
    let kind = parse_call(bare).map(Kind::Call).or_else(|| parse_start(bare)).or_else(|| parse_exit(bare)).unwrap_or(Kind::Marked);
    Line { text: text.to_string(), kind }
}

/// The program's own output, a line each.
fn program_output(text: &str) -> impl Iterator<Item = Line> + '_ {
    text.split_inclusive('\n').map(|text| Line { text: text.to_string(), kind: Kind::Output })
}

fn parse_start(text: &str) -> Option<Kind> {
    let (input, pages) = text.strip_prefix("input ")?.split_once(", memory ")?;
    Some(Kind::Start { input_len: input.strip_suffix(" bytes")?.parse().ok()?, memory_pages: pages.strip_suffix(" pages")?.parse().ok()? })
}

fn parse_exit(text: &str) -> Option<Kind> {
    let (position, made) = text.split_once(' ')?;
    let (step, at) = parse_position(position)?;
    let code = made.strip_prefix("proc_exit(")?.strip_suffix(')')?.parse().ok()?;
    Some(Kind::Exit { step, at, code })
}

fn parse_position(position: &str) -> Option<(u32, usize)> {
    let (step, at) = position.split_once('@')?;
    Some((step.parse().ok()?, at.parse().ok()?))
}

/// A call line (`STEP@AT CALL(ARGS) -> ERRNO RESULT`, no newline), if it
/// is one the typed values print back exactly.
pub fn parse_call(text: &str) -> Option<Call> {
    let (position, rest) = text.split_once(' ')?;
    let (step, at) = parse_position(position)?;
    let (made, result) = rest.rsplit_once(" -> ")?;
    let (name, args) = made.split_once('(')?;
    let args = split_top(args.strip_suffix(')')?, ", ").into_iter().map(parse_arg).collect::<Option<Vec<_>>>()?;
    let (errno, result) = result.split_once(' ')?;
    let mut parts: Vec<&str> = result.split(' ').collect();
    let (changed, hash) = parts.pop()?.strip_prefix('w')?.split_once(':')?;
    let returned = parts.iter().map(|part| part.strip_prefix('=')?.parse().ok()).collect::<Option<Vec<_>>>()?;
    let call = Call {
        step,
        at,
        name: name.to_string(),
        args,
        errno: errno.parse().ok()?,
        returned,
        changed: changed.parse().ok()?,
        hash: u64::from_str_radix(hash, 16).ok()?,
    };
    // What does not print back as it came is not a line the driver wrote.
    (call.to_string() == text).then_some(call)
}

/// `text` split at `separator` outside brackets, parentheses and quotes
/// (nothing for an empty text).
fn split_top<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    if text.is_empty() {
        return Vec::new();
    }
    let (mut parts, mut depth, mut quoted, mut from) = (Vec::new(), 0i32, false, 0);
    for (index, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            _ if depth == 0 && !quoted && index >= from && text[index..].starts_with(separator) => {
                parts.push(&text[from..index]);
                from = index + separator.len();
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    parts
}

fn parse_arg(text: &str) -> Option<Arg> {
    if let Some(hex) = text.strip_prefix("0x") {
        return Some(Arg::Bits(u64::from_str_radix(hex, 16).ok()?));
    }
    if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return Some(Arg::Number(text.parse().ok()?));
    }
    let (ptr, rest) = text.split_once(' ').unwrap_or((text, ""));
    let ptr = parse_ptr(ptr)?;
    if rest.is_empty() {
        return Some(Arg::Pointer(ptr));
    }
    if let Some(shown) = rest.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) {
        return Some(Arg::Path(ptr, shown.to_string()));
    }
    let inner = rest.strip_prefix('[')?.strip_suffix(']')?;
    let items = if inner.contains('(') { split_top(inner, ", ") } else { split_top(inner, " ") };
    Some(Arg::Array(ptr, items.into_iter().map(parse_item).collect::<Option<Vec<_>>>()?))
}

fn parse_item(text: &str) -> Option<Item> {
    if let Some((kind, values)) = text.split_once('(') {
        let values = split_top(values.strip_suffix(')')?, ", ").into_iter().map(parse_arg).collect::<Option<Vec<_>>>()?;
        return Some(Item::Subscription(kind.to_string(), values));
    }
    let (ptr, len) = text.split_once(':')?;
    Some(Item::Buffer(parse_ptr(ptr)?, len.parse().ok()?))
}

fn parse_ptr(text: &str) -> Option<Ptr> {
    if let Some(offset) = text.strip_prefix("a+") {
        return Some(Ptr::Arena(offset.parse().ok()?));
    }
    Some(Ptr::Wild(u32::from_str_radix(text.strip_prefix("wild0x")?, 16).ok()?))
}

/// The arena's size (the driver's `ARENA_LEN`).
pub const ARENA_LEN: u64 = 1 << 16;

/// Whether a call moved more bytes (its first returned value: stored or
/// written) from one of its arena offsets than the arena holds past it,
/// into or out of the moat and the driver's heap beyond it.
pub fn past_the_arena(call: &Call) -> bool {
    let moved = call.returned.first().copied().unwrap_or(0);
    call.arena_offsets().any(|offset| offset + moved > ARENA_LEN)
}

/// The size of memory when the driver started, from the first line.
pub fn memory_pages(lines: &[Line]) -> Option<u64> {
    match lines.first()?.kind {
        Kind::Start { memory_pages, .. } => Some(memory_pages),
        _ => None,
    }
}

/// p1 errno values the accepted differences speak of.
pub mod errno {
    pub const SUCCESS: i32 = 0;
    pub const FAULT: i32 = 21;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_lines_parse_and_other_lines_do_not() {
        let input = b"xyz";
        let m = mark(input);
        let stdout =
            format!("{m}input 3 bytes, memory 17 pages\n{m}0@1 fd_close(7) -> 8 w0:cbf29ce484222325\nhello\n{m}1@3 proc_exit(126)\n{m}end\n");
        let lines = parse(stdout.as_bytes(), input);
        assert_eq!(lines.len(), 5);
        assert_eq!(memory_pages(&lines), Some(17));
        assert_eq!(lines[0].kind, Kind::Start { input_len: 3, memory_pages: 17 });
        assert_eq!(lines[2].kind, Kind::Output);
        assert_eq!(lines[3].kind, Kind::Exit { step: 1, at: 3, code: 126 });
        assert_eq!(lines[4].kind, Kind::Marked);
        let call = lines[1].call().expect("a call line");
        assert_eq!((call.step, call.at, call.name.as_str(), call.errno), (0, 1, "fd_close", 8));
        assert_eq!((call.args.as_slice(), call.changed, call.hash), ([Arg::Number(7)].as_slice(), 0, 0xcbf29ce484222325));
    }

    /// The program's bytes without a newline before a trace line, or a
    /// trace line's look-alike without the mark, stay the program's.
    #[test]
    fn program_output_never_merges_with_a_trace_line() {
        let input = b"abc";
        let m = mark(input);
        let stdout = format!(
            "{m}input 3 bytes, memory 17 pages\n&E\u{fffd}0@9 fake() -> 0 w0:0{m}0@1 fd_write(1, a+0 [], 0, a+8) -> 0 =0 w4:00000000000000aa\n{m}end\n"
        );
        let lines = parse(stdout.as_bytes(), input);
        let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "input 3 bytes, memory 17 pages\n",
                "&E\u{fffd}0@9 fake() -> 0 w0:0",
                "0@1 fd_write(1, a+0 [], 0, a+8) -> 0 =0 w4:00000000000000aa\n",
                "end\n"
            ]
        );
        assert!(lines[1].call().is_none());
        assert_eq!(lines[2].call().map(|c| c.step), Some(0));
        assert_ne!(mark(b"abd"), m);
    }

    #[test]
    fn arguments_are_typed() {
        let call =
            parse_call("2@9 poll_oneoff(a+24 [clock(0, 0, 17, 0x0), raw(3, 0xffffffff, 0x1)], a+128, 2, wild0xffffffff) -> 0 =2 w9:0123456789abcdef")
                .expect("a poll");
        assert_eq!(
            call.args[0],
            Arg::Array(
                Ptr::Arena(24),
                vec![
                    Item::Subscription("clock".into(), vec![Arg::Number(0), Arg::Number(0), Arg::Number(17), Arg::Bits(0)]),
                    Item::Subscription("raw".into(), vec![Arg::Number(3), Arg::Bits(0xffff_ffff), Arg::Bits(1)]),
                ]
            )
        );
        assert_eq!(call.pointers().collect::<Vec<_>>(), [Ptr::Arena(24), Ptr::Arena(128), Ptr::Wild(0xffff_ffff)]);
        assert_eq!(call.numbers().collect::<Vec<_>>(), [0, 0, 17, 3, 2]);
        assert_eq!(call.returned, [2]);
        let read = parse_call("3@9 fd_read(3, a+0 [a+8:4294967295 wild0x80000000:7], 1, a+16) -> 21 w0:cbf29ce484222325").expect("a read");
        assert_eq!(read.arena_offsets().collect::<Vec<_>>(), [0, 8, 16]);
        let path = parse_call("1@2 path_open(3, 0x0, a+0 \"d*200/\\xff\", -1, 0x0, 0x0, 0x0, 0x0, a+8) -> 8 w0:cbf29ce484222325").expect("a path");
        assert_eq!(path.args[2], Arg::Path(Ptr::Arena(0), "d*200/\\xff".into()));
        assert_eq!(path.args[3], Arg::Number(-1));
        assert!(parse_call("1@2 fd_close(3) -> 8 w0:1").is_none(), "a hash not as the driver prints it");
        assert!(parse_call("1@2 fd_close(+3) -> 8 w0:cbf29ce484222325").is_none(), "a number not as the driver prints it");
    }

    /// Every call line of the recorded traces parses into values that print
    /// back as it was.
    #[test]
    fn recorded_call_lines_parse() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz-regressions");
        let mut calls = 0;
        for case in std::fs::read_dir(&root).expect("the regression corpus") {
            for file in std::fs::read_dir(case.expect("a case").path()).into_iter().flatten() {
                let path = file.expect("a file").path();
                if path.extension().is_none_or(|ext| ext != "trace") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("a trace");
                for line in text.lines().filter(|line| line.contains(" -> ") && parse_position(line.split(' ').next().unwrap_or("")).is_some()) {
                    assert!(parse_call(line).is_some(), "{}: {line}", path.display());
                    calls += 1;
                }
            }
        }
        assert!(calls > 100, "only {calls} call lines found");
    }
}
