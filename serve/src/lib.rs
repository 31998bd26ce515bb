//! `userform serve`: OneEntry's user API (forms, sign-up, sign-in, sessions, the profile) over
//! the userform engine, with sessions kept in the same database as the user records.
//!
//! `config` reads the command line and builds a [`http::Service`]; `http` has the router and
//! middleware; `routes` the endpoints; `accounts` the users (through the engine); `sessions`
//! the tokens (SQLite or PostgreSQL); `forms` the forms as served; `limit` the sign-in rate
//! limit; `token` random tokens and their hashes; `turns` one update at a time per user;
//! `error` the `IError` answers.

pub mod accounts;
pub mod config;
pub mod error;
pub mod forms;
pub mod http;
pub mod limit;
pub mod routes;
pub mod sessions;
pub mod token;
pub mod turns;
