//! Group commit: writes that arrive together are made durable by one transaction and one flush,
//! each still conditional on its own checks, each answered only once that flush is done.
//!
//! This is the seam between batching and a store's SQL. The store owns the SQL of one write
//! (an insert, a versioned update: its checks, its error mapping) and says how to begin, mark
//! and commit a transaction ([`Transaction`]); this module owns everything else:
//!
//! - [`Group::submit`]: who writes. A caller queues its write; if no batch is being written it
//!   *leads*: it takes every queued write (its own first), has the store write them as one
//!   batch, answers each caller, then hands the lead to the first write queued meanwhile (or
//!   drops it when none is). Nobody waits on a timer: a lone writer leads a batch of one at
//!   once, and under load each flush carries what arrived during the previous one.
//! - [`write_batch`]: how a batch is written. One transaction; each write in its own savepoint
//!   (released when it succeeds, rolled back to when it fails, so one failing write takes
//!   nothing else with it); one commit. A batch of one needs no savepoint: its transaction is
//!   its own, exactly as without group commit.
//!
//! # Invariants
//!
//! - **Acknowledged means durable.** A caller's `Ok` is handed over only after the batch's
//!   commit returned, and the commit is the store's flush (SQLite: `synchronous=FULL` syncs the
//!   write-ahead log before `COMMIT` returns).
//! - **Each write keeps its own checks.** The writes of a batch run in queue order inside one
//!   transaction, so each sees the ones before it as committed: two writes of one version of a
//!   record give one success and one [`StoreError::Conflict`], two claims to one identity one
//!   success and one [`StoreError::IdentityTaken`], exactly as one after the other.
//! - **A failing write fails alone.** Its savepoint is rolled back; the others commit.
//! - **A batch that cannot commit fails whole.** When `BEGIN`, a savepoint's release or
//!   rollback, or `COMMIT` fails, every write of the batch answers that backend error —
//!   including those that had failed their own checks, since those checks saw writes that
//!   are now rolled back. Nothing of it was acknowledged.
//! - **Nobody is left waiting.** A panic while writing a batch answers each of its writes with
//!   a backend error, and the lead passes on as usual.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::StoreError;

/// The most writes one transaction carries; the rest wait for the next.
const MAX_BATCH: usize = 512;

/// What one write is answered.
pub(crate) type Answer = Result<(), StoreError>;

/// A transaction a batch is written in, as the store's backend offers it.
pub(crate) trait Transaction {
    /// Marks the point a failing write rolls back to (`SAVEPOINT`).
    fn savepoint(&self) -> Result<(), StoreError>;
    /// Keeps what was written since the savepoint and forgets the mark (`RELEASE`).
    fn release(&self) -> Result<(), StoreError>;
    /// Undoes what was written since the savepoint and forgets the mark (`ROLLBACK TO`, then
    /// `RELEASE`).
    fn rollback_to(&self) -> Result<(), StoreError>;
    /// Commits, durably; dropping the transaction without committing rolls it back.
    fn commit(self) -> Result<(), StoreError>;
}

/// Writes `ops` in the transaction `tx`, each with `one`, and commits: one answer per write, in
/// order (see the module's invariants).
pub(crate) fn write_batch<T: Transaction, Op>(
    tx: T,
    ops: &[Op],
    one: impl Fn(&T, &Op) -> Result<(), StoreError>,
) -> Vec<Answer> {
    if let [op] = ops {
        // The transaction is this write's own: a failure rolls it back (on drop).
        return vec![one(&tx, op).and_then(|()| tx.commit())];
    }
    let mut answers = Vec::with_capacity(ops.len());
    for op in ops {
        let kept = tx.savepoint().and_then(|()| match one(&tx, op) {
            Ok(()) => tx.release().map(|()| Ok(())),
            Err(refused) => tx.rollback_to().map(|()| Err(refused)),
        });
        match kept {
            Ok(answer) => answers.push(answer),
            // The transaction is in no known state: abandon it (dropping rolls back).
            Err(broken) => return vec![Err(broken); ops.len()],
        }
    }
    match tx.commit() {
        Ok(()) => answers,
        Err(e) => vec![Err(e); ops.len()],
    }
}

/// How many write transactions a store ran and how many writes they carried: with group
/// commit, `writes / transactions` is the mean batch size (writes per flush).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Write transactions begun.
    pub transactions: u64,
    /// Inserts and commits they carried (acknowledged or refused).
    pub writes: u64,
}

/// The counters behind [`WriteStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    transactions: AtomicU64,
    writes: AtomicU64,
}

impl Counters {
    /// Counts one transaction of `writes` writes.
    pub(crate) fn count(&self, writes: usize) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(writes as u64, Ordering::Relaxed);
    }

    /// The counts so far.
    pub(crate) fn get(&self) -> WriteStats {
        WriteStats {
            transactions: self.transactions.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        }
    }
}

/// Where a queued write stands.
enum Turn {
    /// Queued, or in the batch being written.
    Waiting,
    /// The previous leader handed this write's caller the lead.
    Lead,
    /// Written (or refused): the answer.
    Done(Answer),
}

/// One caller's mailbox.
struct Slot {
    turn: Mutex<Turn>,
    changed: Condvar,
}

impl Slot {
    fn set(&self, turn: Turn) {
        *lock(&self.turn) = turn;
        self.changed.notify_one();
    }

    /// Blocks until the slot is no longer [`Turn::Waiting`]; `None` means "lead".
    fn wait(&self) -> Option<Answer> {
        let mut turn = lock(&self.turn);
        loop {
            match std::mem::replace(&mut *turn, Turn::Waiting) {
                Turn::Waiting => turn = self.changed.wait(turn).unwrap_or_else(|p| p.into_inner()),
                Turn::Lead => return None,
                Turn::Done(answer) => return Some(answer),
            }
        }
    }
}

/// The writes waiting for a batch.
struct Queue<Op> {
    pending: Vec<(Op, Arc<Slot>)>,
    /// A caller is writing a batch (or has just been handed the lead).
    leading: bool,
}

/// The queue of writes to one store and the lead over them (see the module documentation).
pub(crate) struct Group<Op> {
    queue: Mutex<Queue<Op>>,
}

/// A lock that a panic elsewhere does not make unusable: every critical section here leaves
/// its data consistent before it can panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<Op> Group<Op> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        Group { queue: Mutex::new(Queue { pending: Vec::new(), leading: false }) }
    }

    /// Queues `op` and returns its answer once the batch that carried it is written. `write`
    /// writes a batch in one transaction and answers each of its writes, in order: this caller
    /// runs it when it leads (on its own write and others').
    pub(crate) fn submit(&self, op: Op, write: &dyn Fn(&[Op]) -> Vec<Answer>) -> Answer {
        let slot = Arc::new(Slot { turn: Mutex::new(Turn::Waiting), changed: Condvar::new() });
        let lead = {
            let mut q = lock(&self.queue);
            q.pending.push((op, slot.clone()));
            !std::mem::replace(&mut q.leading, true)
        };
        if !lead {
            if let Some(answer) = slot.wait() {
                return answer;
            }
        }
        self.lead(write);
        // The batch just written carried this write: its answer is in the slot.
        slot.wait().unwrap_or_else(|| Err(StoreError::Backend("group commit: a write was left unanswered".into())))
    }

    /// Writes one batch (the leader's write is first in the queue), hands the lead on, and
    /// answers the batch's callers.
    fn lead(&self, write: &dyn Fn(&[Op]) -> Vec<Answer>) {
        let batch: Vec<(Op, Arc<Slot>)> = {
            let mut q = lock(&self.queue);
            let n = q.pending.len().min(MAX_BATCH);
            q.pending.drain(..n).collect()
        };
        let (ops, slots): (Vec<Op>, Vec<Arc<Slot>>) = batch.into_iter().unzip();
        let answers = catch_unwind(AssertUnwindSafe(|| write(&ops))).unwrap_or_else(|_| {
            vec![Err(StoreError::Backend("group commit: writing the batch panicked".into())); slots.len()]
        });
        {
            let mut q = lock(&self.queue);
            match q.pending.first() {
                Some((_, next)) => next.set(Turn::Lead),
                None => q.leading = false,
            }
        }
        let missing = || Err(StoreError::Backend("group commit: the batch gave no answer for this write".into()));
        let mut answers = answers.into_iter();
        for slot in slots {
            let answer = answers.next().unwrap_or_else(missing);
            slot.set(Turn::Done(answer));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::sync::Barrier;
    use std::time::Duration;

    use super::*;

    /// A write of the fake store: a number, refused when odd.
    fn fake(ops: &[u32]) -> Vec<Answer> {
        std::thread::sleep(Duration::from_millis(2)); // a flush
        ops.iter().map(|n| if n.is_multiple_of(2) { Ok(()) } else { Err(StoreError::Conflict) }).collect()
    }

    #[test]
    fn concurrent_writes_share_batches_and_keep_their_own_answers() {
        let group = Group::new();
        let counters = Counters::default();
        let write = |ops: &[u32]| {
            counters.count(ops.len());
            fake(ops)
        };
        let barrier = Barrier::new(32);
        std::thread::scope(|s| {
            for t in 0..32u32 {
                let (group, barrier, write) = (&group, &barrier, &write);
                s.spawn(move || {
                    barrier.wait();
                    for i in 0..20 {
                        let n = t * 100 + i;
                        let want = if n.is_multiple_of(2) { Ok(()) } else { Err(StoreError::Conflict) };
                        assert_eq!(group.submit(n, write), want, "write {n}");
                    }
                });
            }
        });
        let stats = counters.get();
        assert_eq!(stats.writes, 32 * 20);
        // 640 writes of 2 ms each would take 1.3 s one by one; batches carry several.
        assert!(stats.transactions * 2 < stats.writes, "no grouping: {stats:?}");
    }

    #[test]
    fn a_write_is_answered_only_after_its_batch_is_written() {
        let group = Group::new();
        // The writes whose batch has returned from the write function (its flush done).
        let flushed = Mutex::new(std::collections::BTreeSet::new());
        let write = |ops: &[u32]| {
            let out = fake(ops);
            lock(&flushed).extend(ops.iter().copied());
            out
        };
        std::thread::scope(|s| {
            for t in 0..16u32 {
                let (group, flushed, write) = (&group, &flushed, &write);
                s.spawn(move || {
                    for i in 0..10 {
                        let n = 2 * (t * 10 + i);
                        assert_eq!(group.submit(n, write), Ok(()));
                        assert!(lock(flushed).contains(&n), "write {n} answered before its flush");
                    }
                });
            }
        });
    }

    #[test]
    fn a_panicking_batch_answers_backend_errors_and_the_group_goes_on() {
        let group = Group::new();
        let panics = |ops: &[u32]| -> Vec<Answer> {
            if ops.contains(&7) {
                panic!("boom");
            }
            fake(ops)
        };
        let e = group.submit(7, &panics).unwrap_err();
        assert!(matches!(e, StoreError::Backend(m) if m.contains("panicked")));
        assert_eq!(group.submit(8, &panics), Ok(()), "the lead was released");
    }

    #[test]
    fn a_lone_writer_leads_a_batch_of_one() {
        let group = Group::new();
        let sizes = Mutex::new(Vec::new());
        let write = |ops: &[u32]| {
            lock(&sizes).push(ops.len());
            fake(ops)
        };
        for n in [2, 4, 6] {
            assert_eq!(group.submit(n, &write), Ok(()));
        }
        assert_eq!(*lock(&sizes), vec![1, 1, 1]);
    }

    /// A fake transaction that records what it is told, and fails where told to.
    #[derive(Default)]
    struct Log {
        steps: std::cell::RefCell<Vec<String>>,
        fail_commit: bool,
        fail_rollback: Cell<bool>,
        committed: Cell<bool>,
    }

    impl Transaction for &Log {
        fn savepoint(&self) -> Result<(), StoreError> {
            self.steps.borrow_mut().push("savepoint".into());
            Ok(())
        }
        fn release(&self) -> Result<(), StoreError> {
            self.steps.borrow_mut().push("release".into());
            Ok(())
        }
        fn rollback_to(&self) -> Result<(), StoreError> {
            self.steps.borrow_mut().push("rollback".into());
            if self.fail_rollback.get() {
                return Err(StoreError::Backend("rollback failed".into()));
            }
            Ok(())
        }
        fn commit(self) -> Result<(), StoreError> {
            self.steps.borrow_mut().push("commit".into());
            if self.fail_commit {
                return Err(StoreError::Backend("disk full".into()));
            }
            self.committed.set(true);
            Ok(())
        }
    }

    fn op(log: &&Log, n: &u32) -> Result<(), StoreError> {
        log.steps.borrow_mut().push(format!("write {n}"));
        if n.is_multiple_of(2) {
            Ok(())
        } else {
            Err(StoreError::IdentityTaken(format!("k{n}")))
        }
    }

    #[test]
    fn each_write_in_its_savepoint_one_commit() {
        let log = Log::default();
        let answers = write_batch(&log, &[2, 3, 4], op);
        assert_eq!(answers, vec![Ok(()), Err(StoreError::IdentityTaken("k3".into())), Ok(())]);
        assert_eq!(
            *log.steps.borrow(),
            [
                "savepoint",
                "write 2",
                "release",
                "savepoint",
                "write 3",
                "rollback",
                "savepoint",
                "write 4",
                "release",
                "commit"
            ]
        );
        assert!(log.committed.get());
    }

    #[test]
    fn a_batch_of_one_is_its_own_transaction() {
        let log = Log::default();
        assert_eq!(write_batch(&log, &[2], op), vec![Ok(())]);
        assert_eq!(*log.steps.borrow(), ["write 2", "commit"]);
        let log = Log::default();
        assert_eq!(write_batch(&log, &[3], op), vec![Err(StoreError::IdentityTaken("k3".into()))]);
        assert_eq!(*log.steps.borrow(), ["write 3"], "refused: not committed (dropping rolls back)");
    }

    #[test]
    fn a_batch_that_cannot_commit_fails_whole() {
        let log = Log { fail_commit: true, ..Log::default() };
        let answers = write_batch(&log, &[2, 3], op);
        assert_eq!(answers, vec![Err(StoreError::Backend("disk full".into())); 2]);
        let log = Log::default();
        log.fail_rollback.set(true);
        let answers = write_batch(&log, &[2, 3, 4], op);
        assert_eq!(answers, vec![Err(StoreError::Backend("rollback failed".into())); 3]);
        assert!(!log.committed.get(), "abandoned, not committed");
        assert_eq!(*log.steps.borrow(), ["savepoint", "write 2", "release", "savepoint", "write 3", "rollback"]);
    }
}
