//! Integration tests: drive the built `wct` binary the way users and CI do.

mod common;
mod inspect;
mod print_parse;
mod validate;
mod wit;
