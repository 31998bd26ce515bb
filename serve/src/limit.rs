//! The sign-in rate limit: at most N attempts per login and M per client address in each
//! window (a minute by default), counted whether the attempt succeeds or not, so neither one
//! account nor one address can be guessed at faster. Over the limit is a 429 with
//! `Retry-After`.
//!
//! Counts are kept per instance, in memory: with several instances behind a balancer the
//! effective limit is N per instance. Keys come from requests, so the map hashes with the
//! standard library's randomly keyed SipHash; it is only looked up, never iterated for output.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept before expired windows are swept out.
const SWEEP_AT: usize = 10_000;

/// A fixed-window counter per key.
#[derive(Debug)]
struct Window {
    max: u32,
    period: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Window {
    fn new(max: u32, period: Duration) -> Self {
        Window { max, period, hits: Mutex::new(HashMap::new()) }
    }

    /// Counts one attempt for `key`; `Err(seconds to wait)` once the window is full.
    fn hit(&self, key: &str, now: Instant) -> Result<(), u64> {
        // A poisoned lock only means another request panicked mid-count: the counts are whole.
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() >= SWEEP_AT {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.period);
        }
        let slot = hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(slot.0) >= self.period {
            *slot = (now, 0);
        }
        if slot.1 >= self.max {
            let left = self.period.saturating_sub(now.duration_since(slot.0));
            return Err(left.as_secs().max(1));
        }
        slot.1 += 1;
        Ok(())
    }
}

/// Sign-in attempts per login and per address.
#[derive(Debug)]
pub struct SignInLimit {
    per_login: Window,
    per_address: Window,
}

impl SignInLimit {
    /// At most `per_login` attempts for one login and `per_address` from one address per `period`.
    pub fn new(per_login: u32, per_address: u32, period: Duration) -> Self {
        SignInLimit { per_login: Window::new(per_login, period), per_address: Window::new(per_address, period) }
    }

    /// Counts an attempt on `login_key` (the normalised login) from `address`; `Err(seconds)`
    /// when either limit is reached.
    pub fn attempt(&self, login_key: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let by_address = self.per_address.hit(address, now);
        let by_login = self.per_login.hit(login_key, now);
        by_address.and(by_login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_login_and_per_address_then_resets() {
        let w = Window::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!((w.hit("a", t0), w.hit("a", t0)), (Ok(()), Ok(())));
        assert_eq!(w.hit("a", t0 + Duration::from_secs(50)), Err(10));
        assert_eq!(w.hit("b", t0), Ok(()), "other keys are counted apart");
        assert_eq!(w.hit("a", t0 + Duration::from_secs(60)), Ok(()), "a new window");

        let limit = SignInLimit::new(3, 3, Duration::from_secs(60));
        for i in 0..3 {
            assert!(limit.attempt("alice", &format!("10.0.0.{i}")).is_ok());
        }
        assert!(limit.attempt("alice", "10.0.0.9").is_err(), "per login, whatever the address");
        assert!(limit.attempt("bob", "10.0.0.0").is_ok() && limit.attempt("carol", "10.0.0.0").is_ok());
        assert!(limit.attempt("dave", "10.0.0.0").is_err(), "per address, whatever the login");
    }

    #[test]
    fn sweeps_expired_windows() {
        let w = Window::new(1, Duration::from_millis(1));
        let t0 = Instant::now();
        for i in 0..SWEEP_AT {
            w.hit(&i.to_string(), t0).unwrap();
        }
        w.hit("new", t0 + Duration::from_secs(1)).unwrap();
        assert_eq!(w.hits.lock().unwrap().len(), 1);
    }
}
