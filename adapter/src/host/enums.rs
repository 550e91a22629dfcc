//! Enums the host sends back, lifted without trusting it. wit-bindgen's own
//! lift transmutes the discriminant in a release build, which is undefined
//! behaviour for a value the WIT does not define, and a host with a bug can
//! send one. These types stand in for the generated ones (`with:` in
//! bindings.rs); every byte lifts to something defined.

#![deny(unsafe_code)]

/// `wasi:filesystem/types.error-code` as the byte the host sent. The p1
/// errno table (`errno::from_wasi_code`) turns a code the WIT does not
/// define into `EIO`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FilesystemErrorCode(pub u8);

impl FilesystemErrorCode {
    #[doc(hidden)]
    pub fn _lift(val: u8) -> FilesystemErrorCode {
        FilesystemErrorCode(val)
    }
}

/// `wasi:filesystem/types.descriptor-type`; a value the WIT does not define
/// reads as `Unknown`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum DescriptorType {
    Unknown,
    BlockDevice,
    CharacterDevice,
    Directory,
    Fifo,
    SymbolicLink,
    RegularFile,
    Socket,
}

impl DescriptorType {
    #[doc(hidden)]
    pub fn _lift(val: u8) -> DescriptorType {
        match val {
            1 => DescriptorType::BlockDevice,
            2 => DescriptorType::CharacterDevice,
            3 => DescriptorType::Directory,
            4 => DescriptorType::Fifo,
            5 => DescriptorType::SymbolicLink,
            6 => DescriptorType::RegularFile,
            7 => DescriptorType::Socket,
            _ => DescriptorType::Unknown,
        }
    }
}
