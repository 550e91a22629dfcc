//! A module as a list of raw sections, for passes that change a few
//! sections and copy the rest byte for byte, and the LEB128 helpers they
//! need to keep the code section's layout (which DWARF refers to).

use wasm_encoder::RawSection;

/// Section ids in the order a module must have them (the tag section sits
/// between memories and globals, data count before code).
const SECTION_ORDER: [u8; 13] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

pub const CUSTOM: u8 = 0;
pub const TYPE: u8 = 1;
pub const IMPORT: u8 = 2;
pub const FUNCTION: u8 = 3;
pub const EXPORT: u8 = 7;
pub const START: u8 = 8;
pub const CODE: u8 = 10;

fn rank(id: u8) -> usize {
    SECTION_ORDER.iter().position(|known| *known == id).unwrap_or(0)
}

/// A module's sections: (id, contents); custom sections keep their place.
pub struct Sections(Vec<(u8, Vec<u8>)>);

impl Sections {
    pub fn read(module: &[u8]) -> Result<Sections, wasmparser::BinaryReaderError> {
        let mut sections = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(module) {
            if let Some((id, range)) = payload?.as_section() {
                sections.push((id, module[range.start as usize..range.end as usize].to_vec()));
            }
        }
        Ok(Sections(sections))
    }

    pub fn get(&self, id: u8) -> Option<&[u8]> {
        self.0.iter().find(|(known, _)| *known == id).map(|(_, data)| data.as_slice())
    }

    /// Replaces section `id`, or puts it where it belongs.
    pub fn set(&mut self, id: u8, data: Vec<u8>) {
        if let Some(slot) = self.0.iter_mut().find(|(known, _)| *known == id) {
            slot.1 = data;
            return;
        }
        let after = self.0.iter().rposition(|(known, _)| *known != CUSTOM && rank(*known) < rank(id));
        self.0.insert(after.map_or(0, |index| index + 1), (id, data));
    }

    pub fn remove(&mut self, id: u8) {
        self.0.retain(|(known, _)| *known != id);
    }

    /// Removes the DWARF sections (custom sections named `.debug_*`);
    /// whether there were any.
    pub fn remove_debug_info(&mut self) -> bool {
        let before = self.0.len();
        self.0.retain(|(id, data)| *id != CUSTOM || !custom_name(data).is_some_and(|name| name.starts_with(".debug_")));
        self.0.len() != before
    }

    pub fn finish(self) -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        for (id, data) in &self.0 {
            module.section(&RawSection { id: *id, data });
        }
        module.finish()
    }
}

/// The name of a custom section, from its contents.
fn custom_name(data: &[u8]) -> Option<&str> {
    let mut reader = wasmparser::BinaryReader::new(data, 0);
    reader.read_string().ok()
}

/// Whether `module` carries DWARF.
pub fn has_debug_info(module: &[u8]) -> bool {
    wasmparser::Parser::new(0)
        .parse_all(module)
        .any(|payload| matches!(payload, Ok(wasmparser::Payload::CustomSection(section)) if section.name().starts_with(".debug_")))
}

/// The width in bytes of the LEB128 number that starts `data`.
pub fn leb_width(data: &[u8]) -> usize {
    data.iter().position(|byte| byte & 0x80 == 0).map_or(data.len(), |last| last + 1)
}

/// `data` without the LEB128 number that starts it (a section's count, or
/// the size `Encode` writes before a section's contents).
pub fn after_leb(data: &[u8]) -> &[u8] {
    &data[leb_width(data)..]
}

/// `value` as LEB128 in exactly `width` bytes (padded with continuation
/// bytes, which the binary format allows), if it fits.
pub fn padded_leb(value: u32, width: usize) -> Option<Vec<u8>> {
    if width == 0 || width > 5 || (width < 5 && u64::from(value) >> (7 * width) != 0) {
        return None;
    }
    let mut bytes = Vec::with_capacity(width);
    let mut rest = value;
    for index in 0..width {
        let low = (rest & 0x7f) as u8;
        rest >>= 7;
        bytes.push(if index + 1 < width { low | 0x80 } else { low });
    }
    Some(bytes)
}
