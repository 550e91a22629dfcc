//! What p1 descriptor numbers stand for: the table (`table`), its set-up
//! with the stdio streams, whether each is a terminal (`terminals`) and the preopened directories
//! (`preopens`). May use `host`, `memory` and `base`.

pub mod preopens;
pub mod table;
pub mod terminals;
