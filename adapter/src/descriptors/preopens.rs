//! Preopened directories, from wasi:filesystem/preopens, numbered from fd 3 in
//! the order the host lists them (as native p1 does).

#![deny(unsafe_code)]

use crate::base::p1_abi::Errno;
use crate::descriptors::table::Table;
#[cfg(not(feature = "proxy"))]
use crate::{descriptors::table::Entry, memory::layout::Rel, memory::lowering};

/// One element of the list: descriptor handle, name address, name length.
#[cfg(not(feature = "proxy"))]
const ELEMENT_SIZE: u32 = 12;

/// Adds every preopen to the table. The names stay where the lowering put
/// them, on the adapter heap; only the element array is given back.
#[cfg(not(feature = "proxy"))]
pub fn add_all(table: Table) -> Result<(), Errno> {
    let cx = table.cx();
    let mut list = [0u32; 2];
    let result = lowering::all_to_heap(cx, || list = crate::host::filesystem::get_directories());
    let [spine, count] = list;
    let elements = result.elements(cx, spine, count, ELEMENT_SIZE);
    let names = (0..count).map(|i| (elements.read_u32(i * ELEMENT_SIZE + 4), elements.read_u32(i * ELEMENT_SIZE + 8)));
    if !result.placed_exactly(names.clone()) {
        crate::base::diag::misplaced_result(names.fold(0, |total: u32, (_, len)| total.wrapping_add(len)));
    }
    let mut outcome = Ok(());
    for i in 0..count {
        let at = i * ELEMENT_SIZE;
        let (handle, name, name_len) = (elements.read_u32(at), elements.read_u32(at + 4), elements.read_u32(at + 8));
        let entry = Entry::preopen(handle, Rel::of(cx.home(), name), name_len);
        if outcome.is_ok() {
            outcome = table.insert(entry).map(|_| ());
        }
    }
    lowering::release_spine(cx, result);
    outcome
}

#[cfg(feature = "proxy")]
pub fn add_all(_table: Table) -> Result<(), Errno> {
    Ok(())
}
