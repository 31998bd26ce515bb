//! Commits per second for each store, against a bare SQL `UPDATE … SET record = ? WHERE id = ?`
//! of the same JSON on the same database engine, measured in the same run.
//!
//! ```sh
//! cargo bench --features sqlite --bench store                # memory and SQLite
//! eval "$(scripts/postgres.sh)"                              # PostgreSQL too
//! cargo bench --features sqlite,postgres --bench store
//! ```
//!
//! Each iteration commits one realistic record (eight markers, a list, notification data, state,
//! a password hash; about 1.3 KB of JSON) as the next version of one user, single-threaded, so
//! nothing conflicts. The store pays for serialising the record, the version check and the
//! identity index; the baseline writes JSON strings prepared beforehand (two versions of the
//! record, alternately: SQLite skips writing a row whose bytes did not change, so rewriting one
//! string would measure nothing) into a table with no other column or index. `sqlite` is the
//! store as it opens by default (group commit on: a lone writer's commits are batches of one).
//! Both SQLite sides run with the store's settings (WAL,
//! `synchronous=FULL`: one fsync per commit). At the end the ratios (store time / baseline
//! time per commit) are printed from criterion's estimates. Then one writer with group commit
//! on against off, timed in alternation (the group machinery's cost for a lone writer). Last,
//! commits per second from 1, 8
//! and 64 threads at once, each on its own user, for SQLite with group commit on and off and
//! for PostgreSQL (whose server shares one WAL flush between the commits of concurrent
//! connections by itself).

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use serde_json::json;
use userform::SqliteOptions;
use userform::{IdentityKeys, SqliteStore, UserStore};
use userform::{MemoryStore, StoredEntry, UserRecord};

const GROUP: &str = "commit";

fn record() -> UserRecord {
    let mut r = UserRecord::new("bench", "bench@example.com", "reg");
    let mut entries: Vec<StoredEntry> = (0..7)
        .map(|i| StoredEntry {
            marker: format!("m{i}").into(),
            kind: "string".into(),
            value: json!(format!("value number {i} of the profile")).into(),
        })
        .collect();
    entries.push(StoredEntry {
        marker: "colors".into(),
        kind: "list".into(),
        value: json!([{"title": "Red", "value": "red", "extended": null}, {"title": "Blue", "value": "blue", "extended": null}]).into(),
    });
    r.form_data.insert("en_US".into(), entries);
    r.notification_data.email = Some("bench@example.com".into());
    r.notification_data.phone_sms = Some("+15551234567".into());
    r.state = json!({"theme": "dark", "visits": 42, "flags": {"beta": true, "tour": false}, "recent": ["a", "b", "c"]})
        .into();
    r.password_hash =
        Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0123456789abcdef0123456789abcdef0123456789a".into());
    r
}

/// The record's JSON at two versions, as the store would write it.
fn versions() -> [String; 2] {
    let mut r = record();
    let a = serde_json::to_string(&r).unwrap();
    r.version += 1;
    [a, serde_json::to_string(&r).unwrap()]
}

/// Benchmarks `store.commit` of the next version of one record.
fn bench_store(c: &mut Criterion, name: &str, store: &dyn UserStore) {
    let mut r = record();
    store.insert(&r, &IdentityKeys::of(&r)).unwrap();
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::from_parameter(name), |b| {
        b.iter(|| {
            let expected = r.version;
            r.version += 1;
            store.commit(expected, &r, &IdentityKeys::of(&r)).unwrap();
        })
    });
    group.finish();
}

fn bench_sqlite(c: &mut Criterion, dir: &std::path::Path) {
    let store = SqliteStore::open(dir.join("store.db")).unwrap();
    bench_store(c, "sqlite", &store);

    // The baseline: the same JSON, a bare UPDATE, the same pragmas.
    let conn = rusqlite::Connection::open(dir.join("baseline.db")).unwrap();
    let _: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE users (id TEXT PRIMARY KEY, record TEXT NOT NULL)").unwrap();
    let json = versions();
    conn.execute("INSERT INTO users VALUES ('bench', ?1)", [&json[0]]).unwrap();
    let mut stmt = conn.prepare("UPDATE users SET record = ?1 WHERE id = ?2").unwrap();
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(1));
    let mut n = 0usize;
    group.bench_function(BenchmarkId::from_parameter("sqlite-baseline"), |b| {
        b.iter(|| {
            n += 1;
            assert_eq!(stmt.execute(rusqlite::params![json[n % 2], "bench"]).unwrap(), 1)
        })
    });
    group.finish();
}

#[cfg(feature = "postgres")]
/// Benchmarks the PostgreSQL store and its baseline; `false` when no database is configured.
fn bench_postgres(c: &mut Criterion) -> bool {
    let Some(url) = std::env::var("USERFORM_PG_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("SKIPPED: PostgreSQL benchmarks (set USERFORM_PG_URL or run scripts/postgres.sh)");
        return false;
    };
    let schema = format!("userform_bench_{}", std::process::id());
    let store = userform::PostgresStore::connect_in_schema(&url, &schema).unwrap();
    bench_store(c, "postgres", &store);
    drop(store);

    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!(
            "SET search_path = {schema}; CREATE TABLE users (id TEXT PRIMARY KEY, record JSONB NOT NULL)"
        ))
        .unwrap();
    let json = versions();
    client.execute("INSERT INTO users VALUES ('bench', $1::text::jsonb)", &[&json[0]]).unwrap();
    let stmt = client.prepare("UPDATE users SET record = $1::text::jsonb WHERE id = $2").unwrap();
    let mut group = c.benchmark_group(GROUP);
    group.throughput(Throughput::Elements(1));
    let mut n = 0usize;
    group.bench_function(BenchmarkId::from_parameter("postgres-baseline"), |b| {
        b.iter(|| {
            n += 1;
            assert_eq!(client.execute(&stmt, &[&json[n % 2], &"bench"]).unwrap(), 1)
        })
    });
    group.finish();
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
    true
}

/// Where criterion keeps its estimates (as criterion finds it, short of asking cargo).
fn criterion_home() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("CRITERION_HOME") {
        return Some(h.into());
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(t).join("criterion"));
    }
    // target/<profile>/deps/store-HASH
    Some(std::env::current_exe().ok()?.ancestors().nth(3)?.join("criterion"))
}

/// Mean nanoseconds per commit of one benchmark of this run, from criterion's estimates.
fn mean_ns(name: &str) -> Option<f64> {
    let path = criterion_home()?.join(GROUP).join(name).join("new").join("estimates.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn print_ratios(ran: &[&str]) {
    println!("\ncommits per second (mean), and time per commit relative to the bare UPDATE:");
    if let Some(m) = mean_ns("memory") {
        println!("  {:>8}: {:>9.0}/s", "memory", 1e9 / m);
    }
    for (store, baseline) in [("sqlite", "sqlite-baseline"), ("postgres", "postgres-baseline")] {
        if !ran.contains(&store) {
            continue;
        }
        let (Some(s), Some(b)) = (mean_ns(store), mean_ns(baseline)) else { continue };
        println!("  {store:>8}: {:>9.0}/s   {baseline}: {:>9.0}/s   ratio {:.2}", 1e9 / s, 1e9 / b, s / b);
    }
}

/// One writer's commits with group commit on and off, timed in alternation (ten commits on one,
/// ten on the other, and so on; which goes first alternates), compared by the median time of a
/// block of ten: an fsync's time drifts with the disk's other work by more than the two differ,
/// and a checkpoint now and then makes a block many times slower, so neither a run after the
/// other nor a sum of times would say which is faster.
fn print_one_writer(dir: &std::path::Path) {
    const ROUNDS: usize = 150;
    const EACH: usize = 10;
    let on = SqliteStore::open(dir.join("one-on.db")).unwrap();
    let off = SqliteOptions { group_commit: false, ..SqliteOptions::default() };
    let off = SqliteStore::open_with(dir.join("one-off.db"), off).unwrap();
    let mut records = [record(), record()];
    on.insert_record(&records[0]).unwrap();
    off.insert_record(&records[1]).unwrap();
    let mut blocks: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        for k in [round % 2, 1 - round % 2] {
            let store = if k == 0 { &on } else { &off };
            let r = &mut records[k];
            let started = std::time::Instant::now();
            for _ in 0..EACH {
                r.version += 1;
                store.commit_record(r.version - 1, r).unwrap();
            }
            blocks[k].push(started.elapsed());
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1e6 / EACH as f64
    };
    let (on_us, off_us) = (median(&mut blocks[0]), median(&mut blocks[1]));
    println!(
        "\none writer, in alternation ({} commits each, median of blocks of {EACH}): group commit on {on_us:.0} µs, \
         off {off_us:.0} µs per commit; on / off {:.2}",
        ROUNDS * EACH,
        on_us / off_us
    );
}

/// Commits per second from `threads` threads at once, each committing its own user as fast as
/// it can for `time` (no criterion: it times one caller at a time).
fn concurrent(store: &dyn UserStore, tag: &str, threads: usize, time: Duration) -> f64 {
    let ids: Vec<String> = (0..threads).map(|t| format!("{tag}-{threads}-{t}")).collect();
    for id in &ids {
        store
            .insert_record(&UserRecord { id: id.clone(), identifier: format!("{id}@example.com"), ..record() })
            .unwrap();
    }
    let until = std::time::Instant::now() + time;
    let total: u64 = std::thread::scope(|s| {
        let hs: Vec<_> = ids
            .iter()
            .map(|id| {
                s.spawn(move || {
                    let mut r = store.get(id).unwrap().unwrap();
                    let mut n = 0;
                    while std::time::Instant::now() < until {
                        r.version += 1;
                        store.commit_record(r.version - 1, &r).unwrap();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    total as f64 / time.as_secs_f64()
}

/// `concurrent` for each store and 1, 8 and 64 threads.
fn print_concurrent(dir: &std::path::Path) {
    let time = Duration::from_secs(2);
    let off = SqliteOptions { group_commit: false, ..SqliteOptions::default() };
    let sqlite: [(&str, Box<dyn UserStore>); 2] = [
        ("sqlite, group on", Box::new(SqliteStore::open(dir.join("many-on.db")).unwrap())),
        ("sqlite, group off", Box::new(SqliteStore::open_with(dir.join("many-off.db"), off).unwrap())),
    ];
    #[cfg(feature = "postgres")]
    let pg_url = std::env::var("USERFORM_PG_URL").ok().filter(|u| !u.is_empty());
    #[cfg(feature = "postgres")]
    let schema = format!("userform_bench_many_{}", std::process::id());
    #[cfg(feature = "postgres")]
    let pg_store: Option<(&str, Box<dyn UserStore>)> = pg_url.as_ref().map(|url| {
        let store: Box<dyn UserStore> = Box::new(userform::PostgresStore::connect_in_schema(url, &schema).unwrap());
        ("postgres", store)
    });
    #[cfg(not(feature = "postgres"))]
    let pg_store: Option<(&str, Box<dyn UserStore>)> = None;
    println!("\ncommits per second, each thread committing its own user ({} s each):", time.as_secs());
    for (name, store) in sqlite.iter().chain(&pg_store) {
        // A fresh database's first commits grow its files: not what is measured.
        concurrent(store.as_ref(), &format!("{name}-warm"), 8, Duration::from_millis(500));
        let rates: Vec<String> = [1, 8, 64]
            .iter()
            .map(|&n| format!("{n} threads {:>6.0}/s", concurrent(store.as_ref(), name, n, time)))
            .collect();
        println!("  {name:>18}: {}", rates.join("   "));
    }
    #[cfg(feature = "postgres")]
    if let Some(url) = pg_url {
        drop(pg_store);
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
    }
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();
    let memory = MemoryStore::new();
    bench_store(&mut c, "memory", &memory);
    let dir = tempfile::tempdir().unwrap();
    bench_sqlite(&mut c, dir.path());
    let ran = ["memory", "sqlite"];
    #[cfg(feature = "postgres")]
    let ran = if bench_postgres(&mut c) { vec!["memory", "sqlite", "postgres"] } else { ran.to_vec() };
    c.final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once, without.
    if std::env::args().any(|a| a == "--bench") {
        print_ratios(&ran);
        print_one_writer(dir.path());
        print_concurrent(dir.path());
    }
}
