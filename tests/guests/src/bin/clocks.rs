//! clock_res_get and clock_time_get on every clock id p1 defines. Values
//! vary between runs, so only their plausibility is shown.
//!
//! With options `res ID` or `time ID` it makes that one call: for ids p1
//! does not define, native p1 traps, so each gets a run of its own.

use p1::{options, raw, report};

fn main() {
    let options = options();
    if let [call, id] = &options[..] {
        let id: u32 = id.parse().unwrap();
        let mut value = 0u64;
        let errno = match call.as_str() {
            "res" => unsafe { raw::clock_res_get(id, &mut value) },
            _ => unsafe { raw::clock_time_get(id, 0, &mut value) },
        };
        report(&format!("clock_{call}_get({id})"), errno);
        return;
    }
    for id in [0u32, 1, 2, 3] {
        let mut resolution = 0u64;
        let errno = unsafe { raw::clock_res_get(id, &mut resolution) };
        report(&format!("clock_res_get({id})"), errno);
        if errno == 0 {
            println!("  resolution > 0: {}", resolution > 0);
        }
        let (mut first, mut second) = (0u64, 0u64);
        let errno = unsafe { raw::clock_time_get(id, 1, &mut first) };
        report(&format!("clock_time_get({id})"), errno);
        if errno == 0 {
            unsafe { raw::clock_time_get(id, 1, &mut second) };
            println!("  non-decreasing: {}", second >= first);
            if id == 0 {
                // 2020-01-01 in nanoseconds since the epoch.
                println!("  after 2020: {}", first > 1_577_836_800_000_000_000);
            }
        }
    }
}
