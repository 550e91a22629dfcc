//! The adapter's memory and the call discipline: where its pages come from
//! (`placement`) and how its home block is laid out (`layout`), its state
//! and the guard around it (`state`), its heap (`heap`) and the blocks it hands out as owned values (`block`), the sixteen bytes
//! for import results (`scratch`), where the host puts the lists and strings
//! imports return (`lowering`), checked access to guest memory (`guest`),
//! and what every call does on entry and exit (`call`). May use `base`.

pub mod block;
pub mod call;
pub mod guest;
pub mod heap;
pub mod layout;
pub mod lowering;
pub mod placement;
pub mod scratch;
pub mod state;
