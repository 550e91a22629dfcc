//! From WASI 0.2 errors to p1 errnos: the one table, as native p1 maps them.

use crate::bindings::wasi::io::streams::StreamError;
use crate::p1::Errno;

#[cfg(not(feature = "proxy"))]
use crate::bindings::wasi::filesystem::types::{self as fs, ErrorCode};

/// A failed stream operation. A closed stream is an I/O error for writes;
/// readers treat it as end of file before getting here.
pub fn from_stream(error: StreamError) -> Errno {
    match error {
        StreamError::Closed => Errno::IO,
        #[cfg(not(feature = "proxy"))]
        StreamError::LastOperationFailed(error) => fs::filesystem_error_code(&error).map_or(Errno::IO, from_filesystem),
        #[cfg(feature = "proxy")]
        StreamError::LastOperationFailed(_) => Errno::IO,
    }
}

#[cfg(not(feature = "proxy"))]
pub fn from_filesystem(code: ErrorCode) -> Errno {
    match code {
        ErrorCode::Access => Errno::ACCES,
        ErrorCode::WouldBlock => Errno::AGAIN,
        ErrorCode::Already => Errno::ALREADY,
        ErrorCode::BadDescriptor => Errno::BADF,
        ErrorCode::Busy => Errno::BUSY,
        ErrorCode::Deadlock => Errno::DEADLK,
        ErrorCode::Quota => Errno::DQUOT,
        ErrorCode::Exist => Errno::EXIST,
        ErrorCode::FileTooLarge => Errno::FBIG,
        ErrorCode::IllegalByteSequence => Errno::ILSEQ,
        ErrorCode::InProgress => Errno::INPROGRESS,
        ErrorCode::Interrupted => Errno::INTR,
        ErrorCode::Invalid => Errno::INVAL,
        ErrorCode::Io => Errno::IO,
        ErrorCode::IsDirectory => Errno::ISDIR,
        ErrorCode::Loop => Errno::LOOP,
        ErrorCode::TooManyLinks => Errno::MLINK,
        ErrorCode::MessageSize => Errno::MSGSIZE,
        ErrorCode::NameTooLong => Errno::NAMETOOLONG,
        ErrorCode::NoDevice => Errno::NODEV,
        ErrorCode::NoEntry => Errno::NOENT,
        ErrorCode::NoLock => Errno::NOLCK,
        ErrorCode::InsufficientMemory => Errno::NOMEM,
        ErrorCode::InsufficientSpace => Errno::NOSPC,
        ErrorCode::Unsupported => Errno::NOTSUP,
        ErrorCode::NotDirectory => Errno::NOTDIR,
        ErrorCode::NotEmpty => Errno::NOTEMPTY,
        ErrorCode::NotRecoverable => Errno::NOTRECOVERABLE,
        ErrorCode::NoTty => Errno::NOTTY,
        ErrorCode::NoSuchDevice => Errno::NXIO,
        ErrorCode::Overflow => Errno::OVERFLOW,
        ErrorCode::NotPermitted => Errno::PERM,
        ErrorCode::Pipe => Errno::PIPE,
        ErrorCode::ReadOnly => Errno::ROFS,
        ErrorCode::InvalidSeek => Errno::SPIPE,
        ErrorCode::TextFileBusy => Errno::TXTBSY,
        ErrorCode::CrossDevice => Errno::XDEV,
    }
}

#[cfg(not(feature = "proxy"))]
impl From<ErrorCode> for Errno {
    fn from(code: ErrorCode) -> Errno {
        from_filesystem(code)
    }
}
