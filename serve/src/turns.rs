//! Profile updates of one user take turns in this process: an update waits until the previous
//! update of the same user is answered, then reads the record. Updates of different users do
//! not wait for each other.
//!
//! Without turns, concurrent updates of one user read the same version and all but one meet a
//! conflict at commit; the engine retries them from a fresh read, and after its last attempt
//! answers 3024 `conflict`. With group commit the losers learn it only once their whole group
//! is flushed, and retry together into the next group, where again one wins: on one user
//! updated by 64 clients at once, most updates ended in 3024, and the doomed retries took the
//! CPU other users needed (BENCHMARKS.md, "Service throughput"). Taking turns makes them
//! succeed one after the other. The store's version check still decides: turns are per
//! process, so several instances on one PostgreSQL database (or another writer of the file)
//! may still conflict, and are retried as before.
//!
//! A turn is taken on the blocking pool, where the update runs: the waiting thread sleeps on a
//! condition variable of that user's own.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// One user's turn: whether it is taken, and where the next waits.
#[derive(Default)]
struct Queue {
    taken: Mutex<bool>,
    freed: Condvar,
}

/// The users whose update is in progress or waiting.
#[derive(Default)]
pub struct Turns {
    queues: Mutex<BTreeMap<String, Arc<Queue>>>,
}

/// A user's turn: held while their update runs; the next one starts when it is dropped.
pub struct Turn<'a> {
    turns: &'a Turns,
    user: String,
    queue: Option<Arc<Queue>>,
}

/// A lock whose data stays consistent if a holder panicked (nothing here panics while holding
/// one).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Turns {
    /// Waits for `user`'s turn.
    pub fn take(&self, user: &str) -> Turn<'_> {
        let queue = lock(&self.queues).entry(user.to_owned()).or_default().clone();
        {
            let mut taken = lock(&queue.taken);
            while *taken {
                taken = queue.freed.wait(taken).unwrap_or_else(|p| p.into_inner());
            }
            *taken = true;
        }
        Turn { turns: self, user: user.to_owned(), queue: Some(queue) }
    }

    /// How many users have an update in progress or waiting.
    pub fn busy(&self) -> usize {
        lock(&self.queues).len()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let Some(queue) = self.queue.take() else { return };
        *lock(&queue.taken) = false;
        queue.freed.notify_one();
        drop(queue);
        let mut queues = lock(&self.turns.queues);
        // Only the map holds the queue: nobody waits, the entry goes.
        if queues.get(&self.user).is_some_and(|q| Arc::strong_count(q) == 1) {
            queues.remove(&self.user);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn one_update_of_a_user_at_a_time_others_in_parallel() {
        let turns = Turns::default();
        let (inside, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    for _ in 0..5 {
                        let _turn = turns.take("hot");
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
            // Another user is not held up by the hot one's queue (400 ms of turns).
            std::thread::sleep(Duration::from_millis(10));
            let started = Instant::now();
            drop(turns.take("other"));
            assert!(started.elapsed() < Duration::from_millis(150), "another user waited for the hot one");
        });
        assert_eq!(most.load(Ordering::SeqCst), 1, "two updates of one user ran at once");
        assert_eq!(turns.busy(), 0, "every entry is removed once its queue is empty");
    }
}
