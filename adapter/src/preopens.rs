//! Preopened directories, from wasi:filesystem/preopens, numbered from fd 3 in
//! the order the host lists them (as native p1 does).

use crate::p1::Errno;
use crate::state::Ctx;
#[cfg(not(feature = "proxy"))]
use crate::{
    fds::{self, Entry},
    guest::Span,
    layout::Rel,
    lowering,
};

#[cfg(not(feature = "proxy"))]
#[link(wasm_import_module = "wasi:filesystem/preopens@0.2.12")]
unsafe extern "C" {
    /// `get-directories: func() -> list<tuple<descriptor, string>>`.
    #[link_name = "get-directories"]
    fn get_directories(ret: *mut [u32; 2]);
}

/// One element of the list: descriptor handle, name address, name length.
#[cfg(not(feature = "proxy"))]
const ELEMENT_SIZE: u32 = 12;

/// Adds every preopen to the table. The names stay where the lowering put
/// them, on the adapter heap; only the element array is given back.
#[cfg(not(feature = "proxy"))]
pub fn add_all(cx: Ctx) -> Result<(), Errno> {
    let mut list = [0u32; 2];
    // SAFETY: the import writes its two-word result to `list`; the list goes where the plan says.
    let result = lowering::all_to_heap(cx, || unsafe { get_directories(&mut list) });
    let [spine, count] = list;
    if count != 0 && (spine != result.spine().address(cx.home()) || u64::from(count) * u64::from(ELEMENT_SIZE) > u64::from(result.spine_size())) {
        crate::diag::unexpected_allocation(result.spine_size(), 4);
    }
    // SAFETY: the heap block the lowering placed the list in, checked just
    // above to hold `count` elements; nothing else refers to it until released.
    let elements = unsafe { Span::unchecked(spine, result.spine_size()) };
    let names = (0..count).map(|i| (elements.read_u32(i * ELEMENT_SIZE + 4), elements.read_u32(i * ELEMENT_SIZE + 8)));
    if !result.placed_exactly(names.clone()) {
        crate::diag::misplaced_result(names.fold(0, |total: u32, (_, len)| total.wrapping_add(len)));
    }
    let mut outcome = Ok(());
    for i in 0..count {
        let at = i * ELEMENT_SIZE;
        let (handle, name, name_len) = (elements.read_u32(at), elements.read_u32(at + 4), elements.read_u32(at + 8));
        let entry = Entry::preopen(handle, Rel::of(cx.home(), name), name_len);
        if outcome.is_ok() {
            outcome = fds::insert(cx, entry).map(|_| ());
        }
    }
    lowering::release_spine(cx, result);
    outcome
}

#[cfg(feature = "proxy")]
pub fn add_all(_cx: Ctx) -> Result<(), Errno> {
    Ok(())
}
