//! The command line: arguments ([`args`]) and text rendering ([`render`]).

pub mod args;
pub mod render;

pub use args::*;
