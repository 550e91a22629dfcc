//! What p1 descriptor numbers stand for: the table (`table`), its set-up
//! with the stdio streams, whether each is a terminal (`terminals`) and the preopened directories
//! (`preopens`), and the directory listing `fd_readdir` keeps open (`listing`). May use `host`, `memory` and
//! `base`.

#[cfg(not(feature = "proxy"))]
pub mod listing;
pub mod preopens;
pub mod table;
pub mod terminals;
