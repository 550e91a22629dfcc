//! Keeping the code section's layout, so that a module's DWARF stays true.
//!
//! DWARF addresses code by its offset from the start of the code section.
//! The pass re-encodes every function, so any instruction whose encoding
//! changes length moves every address after it: a `call` whose renumbered
//! function needs another byte, a `memory.size` turned into a `call`. For a
//! module with DWARF, this builds the code section again from the original
//! bytes, changing only what the pass changes, each instruction in exactly
//! its original length: function indices written as padded LEB128 in the
//! width they had (linkers leave them 5 bytes wide when they keep debug
//! information), `memory.size`/`memory.grow` as a `call` of the same length.
//! Every original offset then means what it meant. When something does not
//! fit (an index that needs more bytes than it had), there is no such
//! layout, and the caller drops the DWARF instead of keeping lies.

use std::ops::Range;

use wasmparser::{Operator, Payload};

use crate::sections::{leb_width, padded_leb};

/// What the pass changes in function bodies.
pub struct Changes {
    /// Imported functions of the original module: indices below stay.
    pub imported: u32,
    /// How far the pass's imports move every defined function.
    pub shift: u32,
    /// The functions `memory.size` and `memory.grow` on memory 0 become.
    pub size_function: u32,
    pub grow_function: u32,
}

/// The original code section's contents with `changes` made in place, and
/// `appended` (raw bodies, each with its size) after the original bodies;
/// `None` if some change cannot keep its instruction's length.
pub fn patch(original: &[u8], changes: &Changes, appended: &[&[u8]]) -> Result<Option<Vec<u8>>, wasmparser::BinaryReaderError> {
    let mut section: Option<Range<usize>> = None;
    let mut count = 0;
    let mut patches: Vec<(usize, Vec<u8>)> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(original) {
        match payload? {
            Payload::CodeSectionStart { unchecked_range: range, count: functions, .. } => {
                section = Some(range.start as usize..range.end as usize);
                count = functions;
            }
            Payload::CodeSectionEntry(body) => {
                let mut reader = body.get_operators_reader()?;
                while !reader.eof() {
                    let start = reader.original_position() as usize;
                    let operator = reader.read()?;
                    let end = reader.original_position() as usize;
                    let Some(patch) = patch_for(&operator, changes) else { continue };
                    // The opcode is one byte for every operator patched.
                    match padded_leb(patch.1, end - start - 1) {
                        Some(immediate) => {
                            let mut bytes = vec![patch.0];
                            bytes.extend(immediate);
                            patches.push((start, bytes));
                        }
                        None => return Ok(None),
                    }
                }
            }
            _ => {}
        }
    }
    let Some(section) = section else { return Ok(Some(Vec::new())) };
    let contents = &original[section.clone()];
    let width = leb_width(contents);
    let Some(count) = padded_leb(count + appended.len() as u32, width) else { return Ok(None) };
    let mut out = count;
    out.extend_from_slice(&contents[width..]);
    for (at, bytes) in patches {
        let at = at - section.start;
        out[at..at + bytes.len()].copy_from_slice(&bytes);
    }
    for body in appended {
        out.extend_from_slice(body);
    }
    Ok(Some(out))
}

/// The opcode and immediate an operator becomes, if the pass changes it.
fn patch_for(operator: &Operator<'_>, changes: &Changes) -> Option<(u8, u32)> {
    const CALL: u8 = 0x10;
    const RETURN_CALL: u8 = 0x12;
    const REF_FUNC: u8 = 0xd2;
    let moved = |function: u32| if function < changes.imported { function } else { function + changes.shift };
    match *operator {
        Operator::Call { function_index } => Some((CALL, moved(function_index))),
        Operator::ReturnCall { function_index } => Some((RETURN_CALL, moved(function_index))),
        Operator::RefFunc { function_index } => Some((REF_FUNC, moved(function_index))),
        Operator::MemorySize { mem: 0 } => Some((CALL, changes.size_function)),
        Operator::MemoryGrow { mem: 0 } => Some((CALL, changes.grow_function)),
        _ => None,
    }
}

/// The raw bodies (each with its size) of the last `n` functions of a code
/// section's contents.
pub fn last_bodies(module: &[u8], n: usize) -> Result<Vec<&[u8]>, wasmparser::BinaryReaderError> {
    let mut bodies = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let Payload::CodeSectionEntry(body) = payload? {
            let range = body.range();
            let (start, end) = (range.start as usize, range.end as usize);
            // The body's size precedes it: back up over its LEB128.
            let width = canonical_leb_width((end - start) as u32);
            bodies.push(&module[start - width..end]);
        }
    }
    let skip = bodies.len().saturating_sub(n);
    Ok(bodies.split_off(skip))
}

/// The width of `value` in canonical LEB128 (what wasm-encoder writes).
fn canonical_leb_width(value: u32) -> usize {
    let mut width = 1;
    let mut rest = value >> 7;
    while rest != 0 {
        width += 1;
        rest >>= 7;
    }
    width
}
