//! csod: the connection doctor for Microsoft 365 remote PowerShell.
//!
//! The library recognises the Skype for Business Online connector failures
//! from the error an admin sees (any language), and exposes that through a C
//! ABI (`include/csod.h`). See docs/architecture.md for the architecture.
//!
//! - [`normalize`]: error text to language-free views.
//! - [`catalog`]: the problems, their signals and texts, as data.
//! - [`classify`]: evidence to ranked matches.
//! - [`probe`]: facts about this machine and its network, bounded in time.
//! - [`rules`]: facts to findings, pure functions.
//! - [`diagnose`]: request parsing, ordering, the health check.
//! - [`scan`]: transcripts and logs to hits, streaming, bounded memory.
//! - [`document`]: JSON documents from callers, limit-checked and parsed.
//! - [`ffi`]: the C ABI, the only unsafe layer with the Windows system
//!   calls of `probe::win32` (`#![deny(unsafe_code)]` everywhere else).

#![deny(unsafe_code)]

pub mod catalog;
pub mod classify;
pub mod diagnose;
pub mod document;
#[allow(unsafe_code)]
pub mod ffi;
pub mod normalize;
pub mod probe;
pub mod repair;
pub mod rules;
pub mod scan;
