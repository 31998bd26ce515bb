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
//! A free turn is taken on the blocking pool, where the update runs ([`Turns::try_take`]: no
//! waiting there). An update that must wait does so on the async side ([`Turns::take`]), so
//! that one account flooding its own profile holds no thread of the blocking pool that every
//! other user needs; and the request's timeout drops a waiting update before it starts, so an
//! update whose client was answered with a timeout is never written afterwards.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// The users whose update is in progress or waiting, each with its turn.
type Queues = Arc<Mutex<BTreeMap<String, Arc<AsyncMutex<()>>>>>;

/// The turns of this process's users.
#[derive(Default)]
pub struct Turns {
    queues: Queues,
}

/// A user's turn: held while their update runs; the next one starts when it is dropped. It
/// owns what it needs, so it can be taken on one thread and moved to another.
pub struct Turn {
    queues: Queues,
    user: String,
    held: Option<OwnedMutexGuard<()>>,
}

/// A lock whose data stays consistent if a holder panicked (nothing here panics while holding
/// one).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Turns {
    /// `user`'s turn if it is free now; `None` when another update of theirs runs (then wait
    /// with [`Turns::take`], off the blocking pool).
    pub fn try_take(&self, user: &str) -> Option<Turn> {
        let queue = self.queue(user);
        match queue.try_lock_owned() {
            Ok(held) => Some(self.turn(user, held)),
            Err(_) => {
                forget_if_idle(&self.queues, user);
                None
            }
        }
    }

    /// Waits for `user`'s turn. Dropping the future (a timeout) gives up the place in line.
    pub async fn take(&self, user: &str) -> Turn {
        // Registered before waiting: the entry stays while anyone waits on it.
        let queue = self.queue(user);
        let held = queue.lock_owned().await;
        self.turn(user, held)
    }

    /// How many users have an update in progress or waiting.
    pub fn busy(&self) -> usize {
        lock(&self.queues).len()
    }

    fn queue(&self, user: &str) -> Arc<AsyncMutex<()>> {
        lock(&self.queues).entry(user.to_owned()).or_default().clone()
    }

    fn turn(&self, user: &str, held: OwnedMutexGuard<()>) -> Turn {
        Turn { queues: self.queues.clone(), user: user.to_owned(), held: Some(held) }
    }
}

/// Drops `user`'s entry when only the map holds its turn (nobody runs or waits).
fn forget_if_idle(queues: &Queues, user: &str) {
    let mut queues = lock(queues);
    if queues.get(user).is_some_and(|q| Arc::strong_count(q) == 1) {
        queues.remove(user);
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.held.take());
        forget_if_idle(&self.queues, &self.user);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_update_of_a_user_at_a_time_others_in_parallel() {
        let turns = Arc::new(Turns::default());
        let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (turns, inside, most) = (turns.clone(), inside.clone(), most.clone());
                tokio::spawn(async move {
                    for _ in 0..5 {
                        let turn = match turns.try_take("hot") {
                            Some(t) => t,
                            None => turns.take("hot").await,
                        };
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        inside.fetch_sub(1, Ordering::SeqCst);
                        drop(turn);
                    }
                })
            })
            .collect();
        // Another user is not held up by the hot one's queue (400 ms of turns).
        tokio::time::sleep(Duration::from_millis(10)).await;
        let started = Instant::now();
        drop(turns.take("other").await);
        assert!(started.elapsed() < Duration::from_millis(150), "another user waited for the hot one");
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "two updates of one user ran at once");
        assert_eq!(turns.busy(), 0, "every entry is removed once nobody runs or waits");
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_leaves_no_trace_and_holds_no_turn() {
        let turns = Turns::default();
        let held = turns.try_take("hot").expect("free");
        assert!(turns.try_take("hot").is_none(), "taken");
        let gave_up = tokio::time::timeout(Duration::from_millis(20), turns.take("hot")).await;
        assert!(gave_up.is_err(), "still taken: the waiter times out");
        drop(held);
        assert_eq!(turns.busy(), 0, "the timed-out waiter left nothing behind");
        assert!(turns.try_take("hot").is_some(), "and the turn is free again");
    }
}
