//! The service under load: `PUT /api/content/users/me` over HTTP from N concurrent clients,
//! with SQLite group commit on, off, and `synchronous=NORMAL` (the ceiling without durability),
//! all in one run (issue 18; results in BENCHMARKS.md, "Service throughput").
//!
//! ```sh
//! cargo bench -p userform-serve --bench load               # 4 s per cell, about 4 minutes
//! cargo bench -p userform-serve --bench load -- --short    # 1 s per cell, about a minute
//! ```
//!
//! For each configuration the bench opens a fresh SQLite file, builds the service as `userform
//! serve` does (the same flags), serves it on 127.0.0.1 in this process (tokio, as the binary,
//! with its request log formatted and thrown away), creates 256 users plus one hot user with a
//! session each, and drives it from a client runtime of its own: N = 1, 8, 64, 256 clients,
//! each on its own HTTP/1.1 keep-alive connection (hyper's client), each sending a new
//! `IUserBody` (a name, an age, `state`) as soon as the previous answer arrived. Two
//! workloads: every client on its own user (`distinct`), and every client on one user
//! (`hot`), where updates meet each other's versions: the engine retries a conflicting commit
//! from a fresh read up to five times, then answers 3024 `conflict`.
//!
//! Reported per cell: updates acknowledged per second, p50 and p99 latency of those updates
//! (send to last byte of the answer), conflicts per second (hot user), and the store's writes
//! per transaction (the mean group size). Then the ratios the issue's goal names.
//!
//! Why not criterion: criterion times one closure in a loop, one call at a time, and reports its
//! mean; this bench needs N callers at once, a rate, and latency percentiles across them.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use userform::{Registry, RegistryOptions, SqliteOptions, SqliteStore, SqliteSync, UserRecord, UserStore};
use userform_serve::accounts::Accounts;
use userform_serve::config::{Cli, Command};
use userform_serve::http::{self, Service};

const CLIENTS: [usize; 4] = [1, 8, 64, 256];
const USERS: usize = 256;
const FORMS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms");

/// One configuration of the store.
#[derive(Clone, Copy)]
struct Config {
    name: &'static str,
    options: SqliteOptions,
}

const CONFIGS: [Config; 4] = [
    Config { name: "group on", options: SqliteOptions { group_commit: true, sync: SqliteSync::Full } },
    Config { name: "group off", options: SqliteOptions { group_commit: false, sync: SqliteSync::Full } },
    Config { name: "NORMAL, group off", options: SqliteOptions { group_commit: false, sync: SqliteSync::Normal } },
    Config { name: "NORMAL, group on", options: SqliteOptions { group_commit: true, sync: SqliteSync::Normal } },
];

/// Which users the clients update.
#[derive(Clone, Copy, PartialEq)]
enum Workload {
    /// Client `i` updates user `i`.
    Distinct,
    /// Every client updates the hot user.
    Hot,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Distinct => "distinct",
            Workload::Hot => "hot",
        }
    }
}

/// What one cell measured.
#[derive(Clone, Copy, Default)]
struct Cell {
    per_s: f64,
    p50_us: f64,
    p99_us: f64,
    conflicts_per_s: f64,
    writes_per_tx: f64,
}

/// The timing of a run.
#[derive(Clone, Copy)]
struct Timing {
    warm_up: Duration,
    measure: Duration,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let short = args.iter().any(|a| a == "--short");
    // `cargo test --benches` runs every bench without `--bench`: a smoke run, not a measurement.
    let smoke = !args.iter().any(|a| a == "--bench");
    let timing = if smoke {
        Timing { warm_up: Duration::from_millis(50), measure: Duration::from_millis(200) }
    } else if short {
        Timing { warm_up: Duration::from_millis(300), measure: Duration::from_secs(1) }
    } else {
        Timing { warm_up: Duration::from_secs(1), measure: Duration::from_secs(4) }
    };
    // The service's request log, formatted as `userform serve` formats it, to nowhere.
    tracing_subscriber::fmt().json().with_writer(std::io::sink).init();
    let clients: &[usize] = if smoke { &[1, 8] } else { &CLIENTS };
    let configs: &[Config] = if smoke { &CONFIGS[..1] } else { &CONFIGS };

    println!(
        "PUT /api/content/users/me, {} s per cell after {} ms of warm-up; {} cores",
        timing.measure.as_secs_f64(),
        timing.warm_up.as_millis(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut results: Vec<(Config, Workload, usize, Cell)> = Vec::new();
    for &config in configs {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let cells = run_config(config, dir.path(), clients, timing);
        for (workload, n, cell) in cells {
            results.push((config, workload, n, cell));
        }
    }
    print_table(&results);
    print_goals(&results);
}

/// Serves one configuration and measures every cell of it.
fn run_config(config: Config, dir: &Path, clients: &[usize], timing: Timing) -> Vec<(Workload, usize, Cell)> {
    let db = dir.join("users.db");
    let (service, store) = service(config, &db);
    let (tokens, hot) = users(&service, &store);
    let server = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("the server's runtime");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listener = server.block_on(TcpListener::bind("127.0.0.1:0")).expect("a port");
    let addr = listener.local_addr().expect("the port");
    let serving = server.spawn(http::serve(listener, service.clone(), async {
        let _ = stopped.await;
    }));
    let client = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the client's runtime");
    let mut out = Vec::new();
    for workload in [Workload::Distinct, Workload::Hot] {
        for &n in clients {
            let tokens: Vec<String> = match workload {
                Workload::Distinct => tokens[..n].to_vec(),
                Workload::Hot => vec![hot.clone(); n],
            };
            let before = store.write_stats();
            let mut cell = client.block_on(drive(addr, tokens, timing));
            let after = store.write_stats();
            let tx = after.transactions.saturating_sub(before.transactions).max(1);
            cell.writes_per_tx = after.writes.saturating_sub(before.writes) as f64 / tx as f64;
            eprintln!(
                "{:>18} {:>8} N={n:<3} {:>7.0} updates/s  p50 {:>7.0} µs  p99 {:>7.0} µs",
                config.name,
                workload.name(),
                cell.per_s,
                cell.p50_us,
                cell.p99_us
            );
            out.push((workload, n, cell));
        }
    }
    let _ = stop.send(());
    let _ = server.block_on(serving);
    out
}

/// The service `userform serve --db sqlite:… --group-commit … --sqlite-synchronous …` builds,
/// with its store kept at hand for its counts.
fn service(config: Config, db: &Path) -> (Arc<Service>, Arc<SqliteStore>) {
    let db_flag = format!("sqlite:{}", db.display());
    let group = if config.options.group_commit { "on" } else { "off" };
    let sync = if config.options.sync == SqliteSync::Full { "full" } else { "normal" };
    let argv = ["userform", "serve", "--db", &db_flag, "--forms", FORMS, "--group-commit", group];
    let argv = argv.iter().copied().chain(["--sqlite-synchronous", sync]);
    let Command::Serve(args) = Cli::try_parse_from(argv).expect("the flags parse").command else {
        unreachable!("parsed `serve`")
    };
    assert_eq!(args.data.sqlite_options(), config.options);
    let mut service = args.build().expect("the service starts");
    // The same store, opened here so that its write counts can be read.
    let store = Arc::new(SqliteStore::open_with(db, config.options).expect("the store opens"));
    let registry = Arc::new(Registry::load_dir(FORMS, RegistryOptions::default()).expect("the forms load"));
    service.accounts = Accounts::new(registry, store.clone()).expect("the accounts");
    (Arc::new(service), store)
}

/// Creates the users (one through `user add`, the others copies of it) and a session for
/// each: the access tokens of the distinct users, and the hot user's.
fn users(service: &Service, store: &SqliteStore) -> (Vec<String>, String) {
    let first = service.accounts.add("reg", "load0@example.com", "correct horse").expect("user add");
    let template = store.get(&first.id).expect("read").expect("the first user");
    let mut tokens = vec![service.sessions.open(&first.id).expect("a session").access];
    for i in 1..=USERS {
        let mut r =
            UserRecord { id: format!("load-{i}"), identifier: format!("load{i}@example.com"), ..template.clone() };
        r.notification_data.email = Some(r.identifier.clone());
        store.insert(&r).expect("insert a user");
        tokens.push(service.sessions.open(&r.id).expect("a session").access);
    }
    let hot = tokens.pop().expect("the hot user's token");
    (tokens, hot)
}

/// Runs one client per token until the end of the measurement; the cell's figures.
async fn drive(addr: SocketAddr, tokens: Vec<String>, timing: Timing) -> Cell {
    let start = Instant::now();
    let from = start + timing.warm_up;
    let until = from + timing.measure;
    let tasks: Vec<_> =
        tokens.into_iter().enumerate().map(|(i, token)| tokio::spawn(client(addr, token, i, from, until))).collect();
    let mut latencies = Vec::new();
    let mut conflicts = 0usize;
    for t in tasks {
        let (l, c) = t.await.expect("a client finished");
        latencies.extend(l);
        conflicts += c;
    }
    latencies.sort_unstable();
    let secs = timing.measure.as_secs_f64();
    let pct = |p: f64| {
        let at = ((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        latencies.get(at).map_or(0.0, |&us| us as f64)
    };
    Cell {
        per_s: latencies.len() as f64 / secs,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        conflicts_per_s: conflicts as f64 / secs,
        writes_per_tx: 0.0,
    }
}

/// One client on one keep-alive connection: updates until `until`; the latencies (µs) of the
/// updates acknowledged between `from` and `until`, and how many were refused as conflicts.
async fn client(addr: SocketAddr, token: String, i: usize, from: Instant, until: Instant) -> (Vec<u32>, usize) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(conn);
    let bearer = format!("Bearer {token}");
    let (mut latencies, mut conflicts) = (Vec::new(), 0);
    for n in 0u64.. {
        let began = Instant::now();
        if began >= until {
            break;
        }
        let body = format!(
            r#"{{"formIdentifier":"reg","langCode":"en_US","formData":{{"en_US":[{{"marker":"first_name","type":"string","value":"Client {i} update {n}"}},{{"marker":"age","type":"integer","value":{}}}]}},"state":{{"client":{i},"n":{n}}}}}"#,
            n % 150
        );
        let req = Request::builder()
            .method(Method::PUT)
            .uri("/api/content/users/me")
            .header(HOST, "127.0.0.1")
            .header(AUTHORIZATION, &bearer)
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .expect("a request");
        let res = send.send_request(req).await.expect("an answer");
        let status = res.status();
        let answer = res.into_body().collect().await.expect("the body").to_bytes();
        let took = began.elapsed();
        let counted = began >= from && began + took <= until;
        if status == StatusCode::OK && answer.as_ref() == b"true" {
            if counted {
                latencies.push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
            }
        } else if String::from_utf8_lossy(&answer).contains("\"conflict\"") {
            conflicts += usize::from(counted);
        } else {
            panic!("client {i}: {status} {}", String::from_utf8_lossy(&answer));
        }
    }
    (latencies, conflicts)
}

fn print_table(results: &[(Config, Workload, usize, Cell)]) {
    println!("\n| configuration | users | clients | updates/s | p50 µs | p99 µs | p99/p50 | conflicts/s | writes per transaction |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (config, workload, n, c) in results {
        println!(
            "| {} | {} | {n} | {:.0} | {:.0} | {:.0} | {:.1} | {:.0} | {:.1} |",
            config.name,
            workload.name(),
            c.per_s,
            c.p50_us,
            c.p99_us,
            c.p99_us / c.p50_us.max(1.0),
            c.conflicts_per_s,
            c.writes_per_tx
        );
    }
}

/// The issue's goal, from this run: at 64 clients on distinct users, group commit at least 5×
/// off and at least 0.7× the NORMAL ceiling, p99 at most 3× p50; one client not slower.
fn print_goals(results: &[(Config, Workload, usize, Cell)]) {
    let find = |name: &str, n: usize| {
        results.iter().find(|(c, w, k, _)| c.name == name && *w == Workload::Distinct && *k == n).map(|r| r.3)
    };
    let (Some(on), Some(off), Some(normal)) =
        (find("group on", 64), find("group off", 64), find("NORMAL, group off", 64))
    else {
        return;
    };
    let ceiling = find("NORMAL, group on", 64).map_or(normal.per_s, |g| g.per_s.max(normal.per_s));
    println!("\ngoal (64 clients, distinct users):");
    println!("  group on / group off      = {:.2}  (≥ 5)", on.per_s / off.per_s.max(1e-9));
    println!(
        "  group on / NORMAL ceiling = {:.2}  (≥ 0.7; ceiling: the better NORMAL row)",
        on.per_s / ceiling.max(1e-9)
    );
    println!("  group on p99 / p50        = {:.2}  (≤ 3)", on.p99_us / on.p50_us.max(1.0));
    if let (Some(on1), Some(off1)) = (find("group on", 1), find("group off", 1)) {
        println!("  1 client: group on / off  = {:.2}  (≥ 1, within noise)", on1.per_s / off1.per_s.max(1e-9));
    }
}
