//! Integration tests: drive the built `wct` binary the way users and CI do.

mod build;
mod capabilities;
mod common;
mod completions;
mod compose;
mod diff;
mod docs_examples;
mod golden;
mod help_examples;
mod inspect;
mod json_schemas;
mod languages;
mod print_parse;
mod registry;
mod robustness;
mod run;
mod serve;
mod size;
mod strip;
mod structure;
mod validate;
mod virt;
mod wasi_p3;
mod wasi_testsuite;
mod wit;
mod wit_fmt;
