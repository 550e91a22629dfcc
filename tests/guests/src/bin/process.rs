//! proc_exit, proc_raise and sched_yield. The option says what to do:
//! `exit N`, `raise`, or `yield`.

use p1::{options, raw, report};

fn main() {
    let options = options();
    match options.first().map(String::as_str) {
        Some("exit") => {
            let code: u32 = options[1].parse().unwrap();
            println!("exiting with {code}");
            unsafe { raw::proc_exit(code) }
        }
        Some("raise") => {
            let signals: &[u32] = if options.get(1).is_some_and(|o| o == "undefined") { &[31, 1000] } else { &[0, 6, 9, 15, 30] };
            for &signal in signals {
                report(&format!("proc_raise({signal})"), unsafe { raw::proc_raise(signal) });
            }
        }
        Some("yield") => {
            for _ in 0..3 {
                report("sched_yield", unsafe { raw::sched_yield() });
            }
        }
        _ => panic!("expected `exit N`, `raise` or `yield`"),
    }
    println!("returned normally");
}
