//! Reading the driver's trace: one line per call,
//! `STEP@OFFSET CALL(ARGS) -> ERRNO [=VALUE…] wCHANGED:HASH`, between an
//! `input N bytes, memory P pages` line and `end`. Anything else on stdout
//! is what the program wrote there with fd_write.

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

pub fn parse(stdout: &[u8]) -> Vec<Line> {
    String::from_utf8_lossy(stdout)
        .split_inclusive('\n')
        .map(|text| Line { text: text.to_string(), call: parse_call(text.trim_end_matches('\n')) })
        .collect()
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

/// The size of memory when the driver started, from the first line.
pub fn memory_pages(lines: &[Line]) -> Option<u64> {
    let first = lines.first()?.text.trim_end();
    first.strip_prefix("input ")?.split_once(", memory ")?.1.strip_suffix(" pages")?.parse().ok()
}

/// p1 errno values the accepted differences speak of.
pub mod errno {
    pub const SUCCESS: i32 = 0;
    pub const BADF: i32 = 8;
    pub const FAULT: i32 = 21;
    pub const INTR: i32 = 27;
    pub const INVAL: i32 = 28;
    pub const NOTSUP: i32 = 58;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_lines_parse_and_other_lines_do_not() {
        let lines = parse(b"input 3 bytes, memory 17 pages\n0@1 fd_close(7) -> 8 w0:cbf29ce484222325\nhello\n");
        assert_eq!(lines.len(), 3);
        assert_eq!(memory_pages(&lines), Some(17));
        assert!(lines[0].call.is_none() && lines[2].call.is_none());
        let call = lines[1].call.as_ref().expect("a call line");
        assert_eq!((call.step, call.at, call.name.as_str(), call.errno), (0, 1, "fd_close", 8));
        assert_eq!(call.result, "w0:cbf29ce484222325");
    }
}
