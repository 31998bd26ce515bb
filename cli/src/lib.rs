//! Support for the `validate-body` binary and the conformance test: the fixture runner.
//! It lives outside the library because it is test tooling: the library keeps only the answer
//! format ([`userform::answer`]).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod fixture;
