//! The adapter's persistent state, at the start of its home block, and the
//! guard around it.
//!
//! The guest owns the rest of linear memory and some guests (TinyGo, Go) take
//! pages they did not get from `memory.grow`. What decides where the adapter
//! writes lives in globals, which the guest cannot reach (`globals`: the home
//! block, the heap's bump area, the descriptor table's root, the directory
//! stream's record). What stays in memory is guarded where it is read: the
//! state carries a magic word at each end and a seal (a checksum) over the
//! heap's extents, all checked on every entry; descriptor entries and free
//! blocks each carry a check of their own, verified when the adapter reads
//! them. A
//! mismatch is diagnosed and ends the program instead of letting corruption
//! spread.

use crate::base::diag;
use crate::memory::heap::Heap;
use crate::memory::layout::{self, CANARY, CANARY_AT, Rel};

const HEAD_MAGIC: u64 = 0x3170_6164_6170_7465; // "etpadap1"
const TAIL_MAGIC: u64 = 0x6c69_6174_3170_7061; // "ap1tail"

#[repr(C)]
pub struct State {
    head: u64,
    /// Over the heap's extents, which come right after it.
    seal: u64,
    /// No absolute address is kept here (or anywhere in adapter memory), so
    /// the floating-tail placement can move it all.
    heap: Heap,
    tail: u64,
}

impl State {
    /// Sets up a fresh state in a new home block.
    ///
    /// # Safety
    /// `home` must be the address of a home block the adapter owns.
    pub unsafe fn init(home: u32) {
        let state = home as usize as *mut State;
        // SAFETY: the caller's contract: `home` is a home block the adapter owns, large enough for the state.
        unsafe {
            core::ptr::write_bytes(state.cast::<u8>(), 0, core::mem::size_of::<State>());
            let state = &mut *state;
            state.head = HEAD_MAGIC;
            state.tail = TAIL_MAGIC;
            state.heap.init(home);
            state.reseal();

            Rel(CANARY_AT).ptr::<u64>(home).write(CANARY);
        }
        // SAFETY: the guard zone at the end of the home block, which the
        // caller's contract makes the adapter's.
        unsafe {
            layout::write_guard(home.wrapping_add(layout::HOME_SIZE));
            crate::base::globals::set_guard(layout::STACK_TOP);
        }
        crate::base::globals::set_rebuildable(1);
        crate::base::globals::forget_home_contents();
    }

    /// Checks, before any byte of it is written, that the home block at
    /// `home` is still the adapter's: magic words, stack canary, and the
    /// guard of the newest block. Runs without a stack.
    #[inline(always)]
    pub fn check(home: u32) -> Result<(), (u32, diag::Damage)> {
        let state = home as usize as *const State;
        // SAFETY: `home` is the home global: a block the adapter grew, in
        // bounds whatever the guest did to it since.
        let (head, tail) = unsafe { ((*state).head, (*state).tail) };
        if head != HEAD_MAGIC {
            return Err((home, diag::Damage::HeadMagic));
        }
        if tail != TAIL_MAGIC {
            return Err((home.wrapping_add(core::mem::offset_of!(State, tail) as u32), diag::Damage::TailMagic));
        }
        // SAFETY: as above; the canary lies inside the home block.
        if unsafe { Rel(CANARY_AT).ptr::<u64>(home).read() } != CANARY {
            return Err((Rel(CANARY_AT).address(home), diag::Damage::StackCanary));
        }
        let guard = Rel(crate::base::globals::guard()).address(home);
        if crate::base::globals::guard() != 0 && !layout::guard_intact(guard) {
            return Err((guard, diag::Damage::Guard));
        }
        Ok(())
    }

    /// A cheaper look, for calls that neither read nor write adapter memory
    /// (`p1::memoryless`): the head magic and the first two words of the newest
    /// block's guard, where a heap that grows into the home block or claims
    /// memory up to its end (wasi-libc's dlmalloc before 2023 writes its
    /// end marker 52 bytes before it; TinyGo zeroes its metadata there)
    /// shows first. `false` sends the call through the full check.
    #[inline(always)]
    pub fn looks_intact(home: u32) -> bool {
        // SAFETY: as in `check`; the head and the guard lie inside blocks
        // the adapter grew.
        unsafe {
            let head = (home as usize as *const u64).read();
            let guard = crate::base::globals::guard();
            let words = Rel(guard).address(home) as usize as *const u64;
            head == HEAD_MAGIC && (guard == 0 || (words.read() ^ layout::GUARD_WORD) | (words.add(1).read() ^ layout::GUARD_WORD) == 0)
        }
    }

    /// Opens the state of the home block at `home` for a call, after
    /// `check`: the seal must match too. A mismatch never returns: it is
    /// diagnosed as the guest having overwritten adapter memory.
    ///
    /// # Safety
    /// `home` must be the home global, checked by `call::begin` for this call.
    pub unsafe fn open(home: u32) -> Ctx {
        // SAFETY: the caller's contract; no other reference to the state lives.
        let state = unsafe { &mut *(home as usize as *mut State) };
        if state.seal != state.compute_seal() {
            diag::corrupted(home, diag::Damage::Seal);
        }
        Ctx { home }
    }

    /// Ends a call: reseals the extents if they changed and checks the
    /// stack stayed in bounds.
    #[inline(always)]
    pub fn close(&mut self) {
        if self.heap.take_extents_changed() {
            self.reseal();
        }
        if self.canary() != CANARY {
            diag::stack_overflow();
        }
    }

    /// The state of the home block at `home`, to read.
    ///
    /// # Safety
    /// `home` must be the home global, non-zero; the reference must not
    /// outlive a statement that could change the state.
    pub unsafe fn at(home: u32) -> &'static State {
        // SAFETY: the caller's contract.
        unsafe { &*(home as usize as *const State) }
    }

    fn home(&self) -> u32 {
        self as *const State as u32
    }

    fn canary(&self) -> u64 {
        // SAFETY: the canary lies inside the home block this state heads.
        unsafe { Rel(CANARY_AT).ptr::<u64>(self.home()).read() }
    }

    /// The heap, to read (its extents: which memory is the adapter's).
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    fn reseal(&mut self) {
        self.seal = self.compute_seal();
    }

    /// A Fletcher-style checksum over the sealed words (the extent count
    /// and the extents in use: two words for most programs). Any change of
    /// one word changes the first sum; a scribble over several would have
    /// to cancel out in both sums to pass.
    fn compute_seal(&self) -> u64 {
        let words = (&raw const self.heap).cast::<u64>();
        let mut sums = (0x9e37_79b9_7f4a_7c15u64, 0u64);
        for i in 0..self.heap.sealed_words() {
            // SAFETY: the sealed words lie inside the heap's part of the
            // state (`sealed_words` is bounded by its extent slots).
            let word = unsafe { words.add(i).read_unaligned() };
            sums.0 = sums.0.wrapping_add(word);
            sums.1 = sums.1.wrapping_add(sums.0);
        }
        sums.0 ^ sums.1.rotate_left(32)
    }
}

// Checked at compile time: the seal hashes whole words, from the heap's
// start, which the guard tests expect 16 bytes into the state.
const _: () = assert!(core::mem::offset_of!(State, heap) == 16);

/// A handle on the open state during a call.
///
/// Adapter functions take a `Ctx`, never `&mut State`: some imports call back
/// into the adapter (`cabi_import_realloc`), which then touches the state, and
/// a reference held across such a call would let the compiler assume nothing
/// changed. So references to the state are made for short statements only and
/// never live across an import that can call back.
#[derive(Clone, Copy)]
pub struct Ctx {
    home: u32,
}

impl Ctx {
    /// The context of the call in progress.
    ///
    /// # Safety
    /// Only while an adapter call is running (the state has been opened).
    pub unsafe fn current() -> Ctx {
        Ctx { home: crate::base::globals::home() }
    }

    pub fn home(self) -> u32 {
        self.home
    }

    /// The state. Private: every use outside this file goes through the
    /// methods below, which copy values in and out and hold no reference
    /// past their own body, so safe code cannot hold two at once.
    ///
    /// # Safety
    /// No other reference obtained from `state` may be live, and the one
    /// returned must not be used across an import that can call back into
    /// the adapter (`cabi_import_realloc`) nor across another method of
    /// `Ctx` that touches the state.
    #[allow(clippy::mut_from_ref)]
    unsafe fn state(self) -> &'static mut State {
        // SAFETY: `home` is the opened home block (`Ctx` exists only during a
        // call, see `current` and `State::open`); aliasing is the caller's
        // contract.
        unsafe { &mut *(self.home as usize as *mut State) }
    }

    /// A block of `size` bytes from the adapter heap.
    pub fn heap_alloc(self, size: u32) -> Result<Rel, crate::base::p1_abi::Errno> {
        let home = self.home;
        // SAFETY: the heap calls no import and no method of `Ctx`.
        unsafe { self.state() }.heap.alloc(home, size)
    }

    /// Gives a block back to the adapter heap.
    ///
    /// # Safety
    /// As `Heap::free`: `block` came from `heap_alloc` with `size`, and is
    /// not used after.
    pub unsafe fn heap_free(self, block: Rel, size: u32) {
        let home = self.home;
        // SAFETY: the heap calls no import and no method of `Ctx`; the block
        // is the caller's contract.
        unsafe { self.state().heap.free(home, block, size) };
    }

    /// Ends the call (`State::close`).
    #[inline(always)]
    pub fn close(self) {
        // SAFETY: the last use of the state in the call; `close` calls no import.
        unsafe { self.state() }.close();
    }
}
