//! moment.js format strings.
