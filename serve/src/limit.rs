//! The sign-in rate limit: at most N attempts per login and M per client address in each
//! window (a minute by default), counted whether the attempt succeeds or not, so neither one
//! account nor one address can be guessed at faster. Over the limit is a 429 with
//! `Retry-After`.
//!
//! Attempts are counted where the sessions are ([`AttemptCounter`]: the SQLite file or the
//! PostgreSQL database), one atomic upsert per key and attempt, so every instance on one
//! database counts against the same limits. A key's window begins at its first attempt and
//! lasts the period; the first attempt after it begins a new one. Keys are SHA-256 hashes of
//! the normalised login ([`userform::identity::key`]) or of the address, each with a prefix
//! of its own: the table holds no login and no address in clear, and a key's size does not
//! depend on what the client sent. Windows that ended are swept out by each instance once per
//! period.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use userform::identity;

use crate::error::ApiError;
use crate::sessions::{ms, now_ms, AttemptCounter, Window};
use crate::token::TokenHash;

/// The key an attempt on `login` is counted under: the hash of its normalised form.
pub fn login_key(login: &str) -> TokenHash {
    keyed(b"userform-serve sign-in login\0", &identity::key(login))
}

/// The key an attempt from `address` is counted under: the hash of the address, or of its
/// /64 network for IPv6 (one host is handed a whole /64, and could otherwise change address
/// with every attempt); an IPv4 address mapped into IPv6 is its IPv4 address.
pub fn address_key(address: &str) -> TokenHash {
    let network = match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(v4) => v4.to_string(),
        Err(_) => address.to_owned(),
    };
    keyed(b"userform-serve sign-in address\0", &network)
}

fn keyed(prefix: &[u8], value: &str) -> TokenHash {
    let mut h = Sha256::new();
    h.update(prefix);
    h.update(value.as_bytes());
    h.finalize().into()
}

/// Sign-in attempts per login and per address, counted in an [`AttemptCounter`].
pub struct SignInLimit {
    counter: Arc<dyn AttemptCounter>,
    per_login: u32,
    per_address: u32,
    period_ms: i64,
    /// When this instance last swept ended windows out (Unix milliseconds).
    swept_at: AtomicI64,
}

impl std::fmt::Debug for SignInLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInLimit")
            .field("per_login", &self.per_login)
            .field("per_address", &self.per_address)
            .field("period_ms", &self.period_ms)
            .finish_non_exhaustive()
    }
}

impl SignInLimit {
    /// At most `per_login` attempts for one login and `per_address` from one address per
    /// `period`, counted in `counter`.
    pub fn new(counter: Arc<dyn AttemptCounter>, per_login: u32, per_address: u32, period: Duration) -> Self {
        SignInLimit { counter, per_login, per_address, period_ms: ms(period), swept_at: AtomicI64::new(i64::MIN) }
    }

    /// Counts an attempt on `login` from `address` now; [`ApiError::RateLimited`] with the
    /// seconds to wait when either limit is reached. Blocking: it writes to the database.
    pub fn attempt(&self, login: &str, address: &str) -> Result<(), ApiError> {
        self.attempt_at(login, address, now_ms())
    }

    /// [`SignInLimit::attempt`] at `now` (Unix milliseconds). Both keys are counted, refused
    /// or not, so that an address cannot spread its guesses over logins unnoticed nor a login
    /// be guessed at from many addresses; but an address over its limit is refused before its
    /// login is counted, so that it cannot fill the table with one row per made-up login.
    pub fn attempt_at(&self, login: &str, address: &str, now: i64) -> Result<(), ApiError> {
        self.sweep(now)?;
        let by_address = self.counter.hit(&address_key(address), now, self.period_ms)?;
        if by_address.hits > i64::from(self.per_address) {
            return Err(ApiError::RateLimited(self.retry_after(by_address, now)));
        }
        let by_login = self.counter.hit(&login_key(login), now, self.period_ms)?;
        let wait = [(by_address, self.per_address), (by_login, self.per_login)]
            .into_iter()
            .filter(|(w, max)| w.hits > i64::from(*max))
            .map(|(w, _)| self.retry_after(w, now))
            .max();
        match wait {
            Some(secs) => Err(ApiError::RateLimited(secs)),
            None => Ok(()),
        }
    }

    /// Whole seconds until `window` ends (at least 1, at most the period: another instance's
    /// clock may run ahead of ours).
    fn retry_after(&self, window: Window, now: i64) -> u64 {
        let left = window.start.saturating_add(self.period_ms).saturating_sub(now).clamp(0, self.period_ms);
        u64::try_from(left).unwrap_or(0).div_ceil(1000).max(1)
    }

    /// Sweeps ended windows out, once per period per instance.
    fn sweep(&self, now: i64) -> Result<(), ApiError> {
        let last = self.swept_at.load(Ordering::Relaxed);
        if now.saturating_sub(last) < self.period_ms.max(1) {
            return Ok(());
        }
        if self.swept_at.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err() {
            return Ok(()); // another request of this instance is sweeping
        }
        Ok(self.counter.sweep(now, self.period_ms)?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_ipv6_host_is_counted_by_its_64_and_a_mapped_ipv4_as_ipv4() {
        let same = [address_key("2001:db8:1:2::1"), address_key("2001:db8:1:2:ffff:0:0:7")];
        assert_eq!(same[0], same[1], "one /64, one key");
        assert_ne!(address_key("2001:db8:1:3::1"), same[0], "another /64");
        assert_eq!(address_key("::ffff:192.0.2.7"), address_key("192.0.2.7"));
        assert_ne!(address_key("192.0.2.7"), address_key("192.0.2.8"));
    }

    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;
    use crate::sessions::SessionError;

    /// The counter's contract in memory: the SQL upserts do the same (`serve/tests/limits.rs`).
    #[derive(Default)]
    struct Memory {
        windows: Mutex<BTreeMap<TokenHash, Window>>,
        sweeps: Mutex<Vec<i64>>,
    }

    impl AttemptCounter for Memory {
        fn hit(&self, key: &TokenHash, now: i64, period_ms: i64) -> Result<Window, SessionError> {
            let mut windows = self.windows.lock().unwrap();
            let w = windows.entry(*key).or_insert(Window { start: now, hits: 0 });
            if w.start <= now.saturating_sub(period_ms) {
                *w = Window { start: now, hits: 0 };
            }
            w.hits += 1;
            Ok(*w)
        }

        fn sweep(&self, now: i64, period_ms: i64) -> Result<(), SessionError> {
            self.windows.lock().unwrap().retain(|_, w| w.start > now.saturating_sub(period_ms));
            self.sweeps.lock().unwrap().push(now);
            Ok(())
        }
    }

    fn limited(r: Result<(), ApiError>) -> Option<u64> {
        match r {
            Ok(()) => None,
            Err(ApiError::RateLimited(secs)) => Some(secs),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn limits_per_login_and_per_address_then_resets() {
        let memory = Arc::new(Memory::default());
        let limit = SignInLimit::new(memory.clone(), 3, 3, Duration::from_secs(60));
        let t0 = 1_000_000;
        for i in 0..3 {
            assert_eq!(limited(limit.attempt_at("alice", &format!("10.0.0.{i}"), t0)), None);
        }
        assert_eq!(limited(limit.attempt_at("alice", "10.0.0.9", t0 + 50_000)), Some(10), "per login, any address");
        assert_eq!(limited(limit.attempt_at(" ALICE ", "10.0.0.8", t0 + 50_001)), Some(10), "the normalised login");
        assert_eq!(limited(limit.attempt_at("alice", "10.0.0.9", t0 + 59_001)), Some(1), "rounded up");
        assert!(limited(limit.attempt_at("bob", "10.0.0.0", t0)).is_none());
        assert!(limited(limit.attempt_at("carol", "10.0.0.0", t0)).is_none());
        assert_eq!(limited(limit.attempt_at("dave", "10.0.0.0", t0 + 1_000)), Some(59), "per address, any login");
        assert_eq!(limited(limit.attempt_at("alice", "10.0.0.9", t0 + 60_000)), None, "a new window");
    }

    #[test]
    fn the_longer_wait_of_the_two_limits_is_answered() {
        let limit = SignInLimit::new(Arc::new(Memory::default()), 1, 1, Duration::from_secs(60));
        assert!(limited(limit.attempt_at("alice", "10.0.0.1", 0)).is_none());
        assert!(limited(limit.attempt_at("bob", "10.0.0.2", 30_000)).is_none());
        // alice's window ends at 60 s, 10.0.0.2's at 90 s.
        assert_eq!(limited(limit.attempt_at("alice", "10.0.0.2", 40_000)), Some(50));
    }

    #[test]
    fn a_window_begun_ahead_of_our_clock_waits_at_most_the_period() {
        let memory = Arc::new(Memory::default());
        let limit = SignInLimit::new(memory.clone(), 1, 100, Duration::from_secs(60));
        assert!(limited(limit.attempt_at("alice", "a", 100_000)).is_none());
        assert_eq!(limited(limit.attempt_at("alice", "b", 10_000)), Some(60));
    }

    #[test]
    fn keys_are_hashes_of_the_normalised_login_and_of_the_address() {
        assert_eq!(login_key("Alice@Example.com "), login_key("alice@example.com"));
        assert_ne!(login_key("10.0.0.1"), address_key("10.0.0.1"), "a login and an address never share a key");
        let memory = Arc::new(Memory::default());
        let limit = SignInLimit::new(memory.clone(), 5, 5, Duration::from_secs(60));
        limit.attempt_at("alice@example.com", "10.0.0.1", 0).unwrap();
        let keys: Vec<TokenHash> = memory.windows.lock().unwrap().keys().copied().collect();
        let mut expected = vec![login_key("alice@example.com"), address_key("10.0.0.1")];
        expected.sort();
        assert_eq!(keys, expected);
    }

    #[test]
    fn ended_windows_are_swept_once_per_period() {
        let memory = Arc::new(Memory::default());
        let limit = SignInLimit::new(memory.clone(), 5, 5, Duration::from_secs(60));
        limit.attempt_at("alice", "10.0.0.1", 0).unwrap();
        limit.attempt_at("bob", "10.0.0.2", 59_999).unwrap();
        assert_eq!(*memory.sweeps.lock().unwrap(), vec![0], "the first attempt sweeps, not the next within the period");
        limit.attempt_at("carol", "10.0.0.3", 60_000).unwrap();
        assert_eq!(*memory.sweeps.lock().unwrap(), vec![0, 60_000]);
        assert_eq!(memory.windows.lock().unwrap().len(), 4, "alice's and 10.0.0.1's windows ended and are gone");
    }
}
