//! Policies as pure functions of `now` (STYLE.md §9): nothing here reads a clock.

pub mod hours;
pub mod lockout;
pub mod password;
pub mod scope;
pub mod session;
pub mod term;
