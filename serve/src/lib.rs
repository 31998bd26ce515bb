//! `userform serve`: OneEntry's user API (forms, sign-up, sign-in, sessions, the profile) and
//! Backendless' (login, the user object, logout) over the userform engine, with sessions kept in
//! the same database as the user records.
//!
//! `config` reads the command line and builds a [`http::Service`]; `http` has the router and
//! middleware; `routes` the OneEntry endpoints; `backendless` the Backendless face (its routes,
//! the flat user object, its errors); `accounts` the users (through the engine); `sessions`
//! the tokens and the sign-in attempt counts (SQLite, or PostgreSQL through a pool); `forms`
//! the forms as served; `limit` the sign-in rate limit; `token` random tokens and their
//! hashes; `turns` one update at a time per user; `error` the `IError` answers.

pub mod accounts;
pub mod backendless;
pub mod config;
pub mod error;
pub mod forms;
pub mod http;
pub mod limit;
pub mod routes;
pub mod sessions;
pub mod token;
pub mod turns;
