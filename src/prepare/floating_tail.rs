//! The copy of our adapter that `adapt` links with a prepared guest.

use wasm_encoder::reencode::{self, Reencode};

use super::{GUEST_MAX_PAGES_GLOBAL, PLACEMENT_GLOBAL, PrepareError};

/// The value of `adapter_placement` that selects the floating tail.
const FLOATING_TAIL: i32 = 1;

/// A copy of our adapter set to the floating-tail placement: the initial
/// value of its `adapter_placement` global becomes 1, and that of
/// `adapter_guest_max_pages` the maximum the guest's memory type declared
/// (`adapt` lifts it from the module for the adapter's pages). Only the
/// global section changes.
pub fn floating_tail_adapter(adapter: &[u8], guest_max_pages: Option<u64>) -> Result<Vec<u8>, PrepareError> {
    let not_ours = |name: &str| PrepareError::NotOurAdapter(format!("the adapter has no `{name}` global"));
    let placement = global_named(adapter, PLACEMENT_GLOBAL)?.ok_or_else(|| not_ours(PLACEMENT_GLOBAL))?;
    let guest_max = global_named(adapter, GUEST_MAX_PAGES_GLOBAL)?.ok_or_else(|| not_ours(GUEST_MAX_PAGES_GLOBAL))?;
    let maximum = match guest_max_pages {
        None => 0,
        // A 32-bit memory has at most 65536 pages.
        Some(pages) => i32::try_from(pages.min(65536)).unwrap_or(65536),
    };
    let mut out = wasm_encoder::Module::new();
    let mut imported_globals = 0;
    for payload in wasmparser::Parser::new(0).parse_all(adapter) {
        let payload = payload.map_err(PrepareError::Malformed)?;
        match &payload {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    let import = import.map_err(PrepareError::Malformed)?;
                    if matches!(import.ty, wasmparser::TypeRef::Global(_)) {
                        imported_globals += 1;
                    }
                }
            }
            wasmparser::Payload::GlobalSection(reader) => {
                let mut globals = wasm_encoder::GlobalSection::new();
                for (index, global) in reader.clone().into_iter().enumerate() {
                    let global = global.map_err(PrepareError::Malformed)?;
                    let ty = reencode::RoundtripReencoder.global_type(global.ty)?;
                    let index = index as u32 + imported_globals;
                    let init = if index == placement {
                        wasm_encoder::ConstExpr::i32_const(FLOATING_TAIL)
                    } else if index == guest_max {
                        wasm_encoder::ConstExpr::i32_const(maximum)
                    } else {
                        reencode::RoundtripReencoder.const_expr(global.init_expr)?
                    };
                    globals.global(ty, &init);
                }
                out.section(&globals);
                continue;
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection { id, data: &adapter[range.start as usize..range.end as usize] });
        }
    }
    Ok(out.finish())
}

/// The index of the global called `name` in the name section.
fn global_named(module: &[u8], name: &str) -> Result<Option<u32>, PrepareError> {
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::CustomSection(section) = payload.map_err(PrepareError::Malformed)?
            && let wasmparser::KnownCustom::Name(names) = section.as_known()
        {
            for subsection in names {
                if let Ok(wasmparser::Name::Global(map)) = subsection {
                    for naming in map.into_iter().flatten() {
                        if naming.name == name {
                            return Ok(Some(naming.index));
                        }
                    }
                }
            }
        }
    }
    Ok(None)
}
