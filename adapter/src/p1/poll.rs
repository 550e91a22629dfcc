//! `poll_oneoff` on wasi:io/poll: clock subscriptions (relative and
//! absolute, both clocks) and read/write readiness of stdio and files.
//!
//! Events are written as native p1 writes them, in subscription order: a
//! clock event has `nbytes` 0; a ready descriptor reports `nbytes` 1, with
//! HANGUP for a file read at its end. Files are always ready. A lone relative clock is a plain sleep
//! in native p1 (as the wasmtime CLI configures it): any p1 clock id is
//! accepted and the event says `nbytes` 1; ours does the same.

#![deny(unsafe_code)]

use crate::base::p1_abi::{Errno, P1Result, clockid, event, subscription};
use crate::descriptors::table::{self, kind};
use crate::host::bindings::wasi::clocks::{monotonic_clock, wall_clock};
use crate::host::bindings::wasi::io::poll::Pollable;
use crate::host::pollables::{self, PollSet};
use crate::memory::guest::{self, Span};
use crate::memory::state::Ctx;

pub fn poll_oneoff(cx: Ctx, subscriptions: u32, events: u32, count: u32, nevents: u32) -> P1Result {
    if count == 0 {
        // Waiting forever on nothing: p1 says EINVAL (so does native p1).
        return Err(Errno::INVAL);
    }
    let subs = guest::array(cx, subscriptions, count, subscription::SIZE)?;
    let events_out = guest::array(cx, events, count, event::SIZE)?;
    let nevents_out = guest::span(cx, nevents, 4)?;
    if count == 1 && is_lone_sleep(subs) {
        let timeout = subs.read_u64(subscription::CLOCK_TIMEOUT);
        // A zero timeout has already expired: no pollable needed.
        if timeout != 0 {
            monotonic_clock::subscribe_duration(timeout).block();
        }
        events_out.write_u64(event::USERDATA, subs.read_u64(subscription::USERDATA));
        events_out.write_u16(event::ERROR, 0);
        events_out.write_u8(event::TYPE, subscription::TAG_CLOCK);
        events_out.write_u64(event::NBYTES, 1);
        events_out.write_u16(event::FLAGS, 0);
        nevents_out.write_u32(0, 1);
        return Ok(());
    }
    let mut set = PollSet::new(cx, count)?;
    let mut outcome = Ok(());
    for i in 0..count {
        match subscribe(cx, subs, i) {
            Ok(pollable) => set.add(cx, pollable),
            Err(errno) => {
                outcome = Err(errno);
                break;
            }
        }
    }
    if outcome.is_ok() {
        outcome = set.wait(cx).and_then(|()| write_events(cx, subs, &set, events_out, count, nevents_out));
    }
    set.release(cx);
    outcome
}

/// A relative clock subscription on any clock p1 defines.
fn is_lone_sleep(subs: Span) -> bool {
    subs.read_u8(subscription::TAG) == subscription::TAG_CLOCK
        && subs.read_u16(subscription::CLOCK_FLAGS) == 0
        && subs.read_u32(subscription::CLOCK_ID) <= clockid::THREAD_CPUTIME
}

/// A pollable for subscription `i`.
fn subscribe(cx: Ctx, subs: Span, i: u32) -> Result<Pollable, Errno> {
    let at = i * subscription::SIZE;
    match subs.read_u8(at + subscription::TAG) {
        subscription::TAG_CLOCK => {
            let (id, timeout) = (subs.read_u32(at + subscription::CLOCK_ID), subs.read_u64(at + subscription::CLOCK_TIMEOUT));
            let flags = subs.read_u16(at + subscription::CLOCK_FLAGS);
            if flags & !subscription::ABSTIME != 0 {
                return Err(Errno::INVAL);
            }
            let absolute = flags != 0;
            let pollable = match id {
                clockid::MONOTONIC if absolute => monotonic_clock::subscribe_instant(timeout),
                clockid::MONOTONIC | clockid::REALTIME if !absolute => monotonic_clock::subscribe_duration(timeout),
                clockid::REALTIME => {
                    let now = wall_clock::now();
                    let now = now.seconds.saturating_mul(1_000_000_000).saturating_add(u64::from(now.nanoseconds));
                    monotonic_clock::subscribe_duration(timeout.saturating_sub(now))
                }
                _ => return Err(Errno::INVAL),
            };
            Ok(pollable)
        }
        subscription::TAG_FD_READ => {
            let fd = subs.read_u32(at + subscription::FD);
            let entry = table::get_building(cx, fd)?;
            match entry.kind {
                kind::STDIN => Ok(pollables::stdin_ready()),
                kind::FILE => Ok(always_ready()),
                _ => Err(Errno::BADF),
            }
        }
        subscription::TAG_FD_WRITE => {
            let fd = subs.read_u32(at + subscription::FD);
            let entry = table::get_building(cx, fd)?;
            match entry.kind {
                kind::STDOUT | kind::STDERR => Ok(pollables::output_ready(entry.stdio())),
                kind::FILE => Ok(always_ready()),
                _ => Err(Errno::BADF),
            }
        }
        _ => Err(Errno::INVAL),
    }
}

/// Regular files are always ready to read and write (POSIX says so, and
/// native p1's file streams are ready as soon as the host notices): a
/// pollable that is ready at once, without opening a stream.
fn always_ready() -> Pollable {
    monotonic_clock::subscribe_duration(0)
}

fn write_events(cx: Ctx, subs: Span, set: &PollSet, events: Span, count: u32, nevents_out: Span) -> P1Result {
    let mut written = 0;
    for i in 0..count {
        if !set.is_ready(cx, i) {
            continue;
        }
        let at = i * subscription::SIZE;
        let tag = subs.read_u8(at + subscription::TAG);
        let (nbytes, flags) = match tag {
            subscription::TAG_CLOCK => (0, 0),
            #[cfg(not(feature = "proxy"))]
            subscription::TAG_FD_READ => read_readiness(cx, subs.read_u32(at + subscription::FD))?,
            _ => (1, 0),
        };
        let out = written * event::SIZE;
        events.write_u64(out + event::USERDATA, subs.read_u64(at + subscription::USERDATA));
        events.write_u16(out + event::ERROR, 0);
        events.write_u8(out + event::TYPE, tag);
        events.write_u64(out + event::NBYTES, nbytes);
        events.write_u16(out + event::FLAGS, flags);
        written += 1;
    }
    nevents_out.write_u32(0, written);
    Ok(())
}

/// A ready read subscription: stdin says 1 byte; a file too, flagged HANGUP
/// when its offset is at or past its end (native p1's answer).
#[cfg(not(feature = "proxy"))]
fn read_readiness(cx: Ctx, fd: u32) -> Result<(u64, u16), Errno> {
    let entry = table::get_building(cx, fd)?;
    if entry.kind != kind::FILE {
        return Ok((1, 0));
    }
    let size = crate::host::filesystem::borrow(entry.handle).stat()?.size;
    Ok((1, if size <= entry.position { event::HANGUP } else { 0 }))
}
