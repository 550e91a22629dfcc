//! Reading the driver's trace: one line per call,
//! `STEP@OFFSET CALL(ARGS) -> ERRNO [=VALUE…] wCHANGED:HASH`, between an
//! `input N bytes, memory P pages` line and `end`, each preceded on stdout
//! by the input's mark (`mark`). Anything else on stdout is what the
//! program wrote there with fd_write, wherever it landed: it becomes lines
//! of its own, so it can neither hide nor garble a trace line.

/// A line of stdout, parsed where it is a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub call: Option<Call>,
}

/// A call line's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub step: u32,
    /// Input offset of the call's opcode: cutting the input here stops the
    /// driver just before this call.
    pub at: usize,
    /// `fd_read`, `path_open`…
    pub name: String,
    /// The call with its arguments, as printed.
    pub made: String,
    pub errno: i32,
    /// What followed the errno: returned values and the arena changes.
    pub result: String,
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

/// One trace line's text, parsed.
pub fn parse_line(text: &str) -> Line {
    Line { text: text.to_string(), call: parse_call(text.trim_end_matches('\n')) }
}

/// The program's own output, a line each (never a call).
fn program_output(text: &str) -> impl Iterator<Item = Line> + '_ {
    text.split_inclusive('\n').map(|text| Line { text: text.to_string(), call: None })
}

fn parse_call(text: &str) -> Option<Call> {
    let (position, rest) = text.split_once(' ')?;
    let (step, at) = position.split_once('@')?;
    let (made, result) = rest.rsplit_once(" -> ")?;
    let (errno, result) = result.split_once(' ').unwrap_or((result, ""));
    Some(Call {
        step: step.parse().ok()?,
        at: at.parse().ok()?,
        name: made.split('(').next()?.to_string(),
        made: made.to_string(),
        errno: errno.parse().ok()?,
        result: result.to_string(),
    })
}

/// A call as one line: `STEP@AT CALL(ARGS) -> ERRNO RESULT`.
pub fn show_call(call: &Call) -> String {
    format!("{}@{} {} -> {} {}", call.step, call.at, call.made, call.errno, call.result)
}

/// The `a+N` (arena offset) arguments of a call as printed.
pub fn arena_offsets(made: &str) -> impl Iterator<Item = u64> + '_ {
    made.split("a+").skip(1).filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
}

/// Whether a call's line says it moved more bytes (its first returned
/// value: stored or written) from one of its arena offsets than the arena
/// holds past it, into or out of the moat and the driver's heap beyond it.
pub fn past_the_arena(call: &Call) -> bool {
    const ARENA_LEN: u64 = 1 << 16;
    let moved = call.result.split(' ').find_map(|part| part.strip_prefix('=')?.parse::<u64>().ok()).unwrap_or(0);
    arena_offsets(&call.made).any(|offset| offset + moved > ARENA_LEN)
}

/// The size of memory when the driver started, from the first line.
pub fn memory_pages(lines: &[Line]) -> Option<u64> {
    let first = lines.first()?.text.trim_end();
    first.strip_prefix("input ")?.split_once(", memory ")?.1.strip_suffix(" pages")?.parse().ok()
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
        let stdout = format!("{m}input 3 bytes, memory 17 pages\n{m}0@1 fd_close(7) -> 8 w0:cbf29ce484222325\nhello\n");
        let lines = parse(stdout.as_bytes(), input);
        assert_eq!(lines.len(), 3);
        assert_eq!(memory_pages(&lines), Some(17));
        assert!(lines[0].call.is_none() && lines[2].call.is_none());
        let call = lines[1].call.as_ref().expect("a call line");
        assert_eq!((call.step, call.at, call.name.as_str(), call.errno), (0, 1, "fd_close", 8));
        assert_eq!(call.result, "w0:cbf29ce484222325");
    }

    /// The program's bytes without a newline before a trace line, or a
    /// trace line's look-alike without the mark, stay the program's.
    #[test]
    fn program_output_never_merges_with_a_trace_line() {
        let input = b"abc";
        let m = mark(input);
        let stdout = format!("{m}input 3 bytes, memory 17 pages\n&E\u{fffd}0@9 fake() -> 0 w0:0{m}0@1 fd_write(1) -> 0 w4:aa\n{m}end\n");
        let lines = parse(stdout.as_bytes(), input);
        let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
        assert_eq!(texts, ["input 3 bytes, memory 17 pages\n", "&E\u{fffd}0@9 fake() -> 0 w0:0", "0@1 fd_write(1) -> 0 w4:aa\n", "end\n"]);
        assert!(lines[1].call.is_none());
        assert_eq!(lines[2].call.as_ref().map(|c| c.step), Some(0));
        assert_ne!(mark(b"abd"), m);
    }
}
