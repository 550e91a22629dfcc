//! The adapter's persistent state, at the start of its home block, and the
//! guard around it.
//!
//! The guest owns the rest of linear memory and some guests (TinyGo, Go) take
//! pages they did not get from `memory.grow`. So the state carries a magic word
//! at each end and a seal (a checksum) of the fields whose corruption would make the
//! adapter write to the wrong place. Every entry checks all three; a mismatch
//! is diagnosed and ends the program instead of letting corruption spread.

use crate::diag;
use crate::fds::{FdNumbering, FdRoot};
use crate::heap::Heap;
use crate::layout::{self, Rel, CANARY, CANARY_AT};
use crate::lowering::Lowering;
use crate::readdir::ReaddirCache;

const HEAD_MAGIC: u64 = 0x3170_6164_6170_7465; // "etpadap1"
const TAIL_MAGIC: u64 = 0x6c69_6174_3170_7061; // "ap1tail"

/// Fields that are sealed: a change from outside the adapter is detected.
/// No absolute address is kept here (or anywhere in adapter memory), so the
/// floating-tail placement can move it all. The heap comes last: its unused
/// extent slots are left out of the seal.
#[repr(C)]
pub struct Core {
    pub fds: FdRoot,
    pub readdir: ReaddirCache,
    pub heap: Heap,
}

#[repr(C)]
pub struct State {
    head: u64,
    seal: u64,
    core: Core,
    /// Set when `core` changed during this call, so it is resealed on exit.
    dirty: u32,
    /// Unsealed, see its type.
    pub fd_numbering: FdNumbering,
    /// How results of the import being called are placed; empty between calls.
    pub lowering: Lowering,
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
            state.core.heap.init(home);
            state.reseal();
            Rel(CANARY_AT).ptr::<u64>(home).write(CANARY);
        }
        layout::write_guard(home.wrapping_add(layout::HOME_SIZE));
        crate::globals::set_guard(layout::STACK_TOP);
        crate::globals::set_rebuildable(1);
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
        let guard = Rel(crate::globals::guard()).address(home);
        if crate::globals::guard() != 0 && !layout::guard_intact(guard) {
            return Err((guard, diag::Damage::Guard));
        }
        Ok(())
    }

    /// Opens the state of the home block at `home` for a call, after
    /// `check`: the seal must match too. A mismatch never returns: it is
    /// diagnosed as the guest having overwritten adapter memory.
    ///
    /// # Safety
    /// `home` must be the home global, checked by `entry::begin` for this call.
    pub unsafe fn open(home: u32) -> Ctx {
        // SAFETY: the caller's contract; no other reference to the state lives.
        let state = unsafe { &mut *(home as usize as *mut State) };
        if state.seal != state.compute_seal() {
            diag::corrupted(home, diag::Damage::Seal);
        }
        state.dirty = 0;
        Ctx { home }
    }

    /// Ends a call: reseals what changed and checks the stack stayed in bounds.
    pub fn close(&mut self) {
        self.lowering.clear();
        if self.dirty != 0 {
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

    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Mutable access to sealed fields; the seal is renewed when the call ends.
    pub fn core_mut(&mut self) -> &mut Core {
        self.dirty = 1;
        &mut self.core
    }

    fn reseal(&mut self) {
        self.seal = self.compute_seal();
        self.dirty = 0;
    }

    /// A Fletcher-style checksum over the sealed words: it runs on every call,
    /// so it costs two additions per word (four words per loop round). Any
    /// change of one word changes the first sum; a scribble over several would
    /// have to cancel out in both sums to pass.
    fn compute_seal(&self) -> u64 {
        let mut word = (&raw const self.core).cast::<u64>();
        let count = (core::mem::offset_of!(Core, heap) + self.core.heap.sealed_len()) / 8;
        let step = |(sum, sum_of_sums): (u64, u64), word: u64| {
            let sum = sum.wrapping_add(word);
            (sum, sum_of_sums.wrapping_add(sum))
        };
        let mut sums = (0x9e37_79b9_7f4a_7c15u64, 0u64);
        // Unrolled by hand: opt-level "s" keeps loops rolled.
        for _ in 0..count / 4 {
            // SAFETY: the sealed words lie inside the state (`count` is computed from its layout).
            unsafe {
                sums = step(sums, word.read_unaligned());
                sums = step(sums, word.add(1).read_unaligned());
                sums = step(sums, word.add(2).read_unaligned());
                sums = step(sums, word.add(3).read_unaligned());
                word = word.add(4);
            }
        }
        for _ in 0..count % 4 {
            // SAFETY: as above.
            unsafe {
                sums = step(sums, word.read_unaligned());
                word = word.add(1);
            }
        }
        let (sum, sum_of_sums) = sums;
        sum ^ sum_of_sums.rotate_left(32)
    }
}

// Checked at compile time: the seal hashes whole words.
const _: () = assert!(core::mem::offset_of!(Core, heap) % 8 == 0 && core::mem::size_of::<Heap>() % 8 == 0);

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
        Ctx { home: crate::globals::home() }
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
    pub fn heap_alloc(self, size: u32) -> Result<Rel, crate::p1::Errno> {
        let home = self.home;
        // SAFETY: the heap calls no import and no method of `Ctx`.
        unsafe { self.state() }.core_mut().heap.alloc(home, size)
    }

    /// Gives a block back to the adapter heap.
    pub fn heap_free(self, block: Rel, size: u32) {
        let home = self.home;
        // SAFETY: as in `heap_alloc`.
        unsafe { self.state() }.core_mut().heap.free(home, block, size);
    }

    /// The descriptor table's root.
    pub fn fd_root(self) -> FdRoot {
        // SAFETY: a copy is read; no reference outlives the statement.
        unsafe { self.state() }.core().fds
    }

    pub fn set_fd_root(self, root: FdRoot) {
        // SAFETY: as in `fd_root`.
        unsafe { self.state() }.core_mut().fds = root;
    }

    /// How descriptor numbers are handed out.
    pub fn fd_numbering(self) -> FdNumbering {
        // SAFETY: as in `fd_root`.
        unsafe { self.state() }.fd_numbering
    }

    pub fn set_fd_numbering(self, numbering: FdNumbering) {
        // SAFETY: as in `fd_root`.
        unsafe { self.state() }.fd_numbering = numbering;
    }

    /// The open directory stream.
    pub fn readdir(self) -> ReaddirCache {
        // SAFETY: as in `fd_root`.
        unsafe { self.state() }.core().readdir
    }

    pub fn set_readdir(self, cache: ReaddirCache) {
        // SAFETY: as in `fd_root`.
        unsafe { self.state() }.core_mut().readdir = cache;
    }

    /// Takes the plan for the import being called, leaving none.
    pub fn take_lowering(self) -> Lowering {
        // SAFETY: as in `fd_root`.
        core::mem::take(&mut unsafe { self.state() }.lowering)
    }

    pub fn set_lowering(self, plan: Lowering) {
        // SAFETY: as in `fd_root`.
        unsafe { self.state() }.lowering = plan;
    }

    /// Ends the call (`State::close`).
    pub fn close(self) {
        // SAFETY: the last use of the state in the call; `close` calls no import.
        unsafe { self.state() }.close();
    }
}
