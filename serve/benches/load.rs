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
    /// The name `--configs` knows it by.
    key: &'static str,
    name: &'static str,
    options: SqliteOptions,
}

const CONFIGS: [Config; 4] = [
    Config { key: "on", name: "group on", options: SqliteOptions { group_commit: true, sync: SqliteSync::Full } },
    Config { key: "off", name: "group off", options: SqliteOptions { group_commit: false, sync: SqliteSync::Full } },
    Config {
        key: "normal",
        name: "NORMAL, group off",
        options: SqliteOptions { group_commit: false, sync: SqliteSync::Normal },
    },
    Config {
        key: "normal-on",
        name: "NORMAL, group on",
        options: SqliteOptions { group_commit: true, sync: SqliteSync::Normal },
    },
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
    /// CPU time per acknowledged update: this process's threads but the client's, and the
    /// client's.
    service_cpu_us: f64,
    client_cpu_us: f64,
}

/// The timing of a run.
#[derive(Clone, Copy)]
struct Timing {
    warm_up: Duration,
    measure: Duration,
}

/// The figures of one cell, with the configuration and workload they are of.
struct Row {
    config: Config,
    workload: Workload,
    clients: usize,
    cell: Cell,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let short = args.iter().any(|a| a == "--short");
    // One cell (group on, distinct users, 64 clients) for a profiler to watch.
    let profile = args.iter().any(|a| a == "--profile");
    // `cargo test --benches` runs every bench without `--bench`: a smoke run, not a measurement.
    let smoke = !args.iter().any(|a| a == "--bench");
    let timing = if smoke {
        Timing { warm_up: Duration::from_millis(50), measure: Duration::from_millis(200) }
    } else if short {
        Timing { warm_up: Duration::from_millis(300), measure: Duration::from_secs(1) }
    } else if profile {
        Timing { warm_up: Duration::from_secs(1), measure: Duration::from_secs(10) }
    } else {
        Timing { warm_up: Duration::from_secs(1), measure: Duration::from_secs(4) }
    };
    // The service's request log, formatted as `userform serve` formats it, to nowhere.
    tracing_subscriber::fmt().json().with_writer(std::io::sink).init();
    let (mut configs, mut workloads, mut clients) = if smoke {
        (CONFIGS[..1].to_vec(), vec![Workload::Distinct, Workload::Hot], vec![1, 8])
    } else if profile {
        (CONFIGS[..1].to_vec(), vec![Workload::Distinct], vec![64])
    } else {
        (CONFIGS.to_vec(), vec![Workload::Distinct, Workload::Hot], CLIENTS.to_vec())
    };
    // Narrowing, for a closer look: `--configs on,off`, `--workloads hot`, `--clients 1,64`;
    // `--rounds 3` runs every cell three times (in alternation) and reports each cell's median.
    let list = |flag: &str| {
        let at = args.iter().position(|a| a == flag)?;
        Some(args.get(at + 1)?.split(',').map(str::to_owned).collect::<Vec<_>>())
    };
    if let Some(keys) = list("--configs") {
        configs.retain(|c| keys.iter().any(|k| k == c.key));
    }
    if let Some(names) = list("--workloads") {
        workloads.retain(|w| names.iter().any(|n| n == w.name()));
    }
    if let Some(ns) = list("--clients") {
        clients = ns.iter().filter_map(|n| n.parse().ok()).filter(|&n| n <= USERS).collect();
    }
    let rounds: usize = list("--rounds").and_then(|r| r.first()?.parse().ok()).unwrap_or(1).max(1);

    println!(
        "PUT /api/content/users/me: {} s per cell after {} ms of warm-up; {} cores; load average {}",
        timing.measure.as_secs_f64(),
        timing.warm_up.as_millis(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    // Every configuration is served at once (idle but for the one driven), so that the cells
    // of one workload and client count run one after the other, configuration by
    // configuration: a change in the machine's load falls on all of them alike.
    let dirs: Vec<tempfile::TempDir> = configs.iter().map(|_| tempfile::tempdir().expect("a directory")).collect();
    let served: Vec<Served> = configs.iter().zip(&dirs).map(|(&c, d)| Served::start(c, d.path())).collect();
    let client = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the client's runtime");
    let mut rows = Vec::new();
    for (&workload, &n, _) in
        workloads.iter().flat_map(|w| clients.iter().flat_map(move |n| (0..rounds).map(move |r| (w, n, r))))
    {
        for s in &served {
            let tokens: Vec<String> = match workload {
                Workload::Distinct => s.tokens[..n].to_vec(),
                Workload::Hot => vec![s.hot.clone(); n],
            };
            let before = (s.store.write_stats(), Cpu::now());
            let mut cell = client.block_on(drive(s.addr, tokens, timing));
            let after = (s.store.write_stats(), Cpu::now());
            let tx = after.0.transactions.saturating_sub(before.0.transactions).max(1);
            cell.writes_per_tx = after.0.writes.saturating_sub(before.0.writes) as f64 / tx as f64;
            // CPU per update over the whole cell (warm-up included), in this process: the
            // client is this thread, the service every other one.
            let updates = (cell.per_s * (timing.warm_up + timing.measure).as_secs_f64()).max(1.0);
            cell.client_cpu_us = (after.1.thread - before.1.thread) * 1e6 / updates;
            cell.service_cpu_us =
                ((after.1.process - before.1.process) - (after.1.thread - before.1.thread)) * 1e6 / updates;
            let wal = std::fs::metadata(s.db.with_extension("db-wal")).map_or(0, |m| m.len());
            eprintln!(
                "{:>18} {:>8} N={n:<3} {:>7.0} updates/s  p50 {:>7.0} µs  p99 {:>7.0} µs  {:>5.0} conflicts/s  WAL {:.1} MB",
                s.config.name,
                workload.name(),
                cell.per_s,
                cell.p50_us,
                cell.p99_us,
                cell.conflicts_per_s,
                wal as f64 / 1e6
            );
            rows.push(Row { config: s.config, workload, clients: n, cell });
        }
    }
    drop(served);
    println!("load average after: {}", load_average());
    let rows = medians(rows, rounds);
    print_table(&rows);
    print_goals(&rows);
}

/// One row per cell: the median of its rounds, figure by figure.
fn medians(rows: Vec<Row>, rounds: usize) -> Vec<Row> {
    if rounds == 1 {
        return rows;
    }
    let mut out: Vec<Row> = Vec::new();
    for row in &rows {
        if out.iter().any(|o| o.config.key == row.config.key && o.workload == row.workload && o.clients == row.clients)
        {
            continue;
        }
        let same: Vec<&Cell> = rows
            .iter()
            .filter(|r| r.config.key == row.config.key && r.workload == row.workload && r.clients == row.clients)
            .map(|r| &r.cell)
            .collect();
        let median = |f: fn(&Cell) -> f64| {
            let mut v: Vec<f64> = same.iter().map(|c| f(c)).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let cell = Cell {
            per_s: median(|c| c.per_s),
            p50_us: median(|c| c.p50_us),
            p99_us: median(|c| c.p99_us),
            conflicts_per_s: median(|c| c.conflicts_per_s),
            writes_per_tx: median(|c| c.writes_per_tx),
            service_cpu_us: median(|c| c.service_cpu_us),
            client_cpu_us: median(|c| c.client_cpu_us),
        };
        out.push(Row { config: row.config, workload: row.workload, clients: row.clients, cell });
    }
    out
}

/// One configuration's service, listening.
struct Served {
    config: Config,
    db: std::path::PathBuf,
    store: Arc<SqliteStore>,
    /// The distinct users' access tokens, and the hot user's.
    tokens: Vec<String>,
    hot: String,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Served {
    fn start(config: Config, dir: &Path) -> Served {
        let db = dir.join("users.db");
        let (service, store) = service(config, &db);
        let (tokens, hot) = users(&service, &store);
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("the server's runtime");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("a port");
        let addr = listener.local_addr().expect("the port");
        runtime.spawn(http::serve(listener, service, async {
            let _ = stopped.await;
        }));
        Served { config, db, store, tokens, hot, addr, stop: Some(stop), runtime: Some(runtime) }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

/// CPU seconds used so far by this process and by the calling thread (Linux `/proc`; zero
/// elsewhere).
struct Cpu {
    process: f64,
    thread: f64,
}

impl Cpu {
    fn now() -> Cpu {
        Cpu { process: cpu_seconds("/proc/self/stat"), thread: cpu_seconds("/proc/thread-self/stat") }
    }
}

/// `utime + stime` of a `/proc` stat file, in seconds (at the usual 100 ticks a second).
fn cpu_seconds(path: &str) -> f64 {
    let Ok(text) = std::fs::read_to_string(path) else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold spaces): state is
    // field 3, utime 14 and stime 15.
    let Some((_, rest)) = text.rsplit_once(')') else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
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
        // Each copy holds its own e-mail in its login, not the template's.
        for login in r.logins.values_mut() {
            login.clone_from(&r.identifier);
        }
        r.notification_data.email = Some(r.identifier.clone());
        store.insert_record(&r).expect("insert a user");
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
        ..Cell::default()
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

fn print_table(rows: &[Row]) {
    println!(
        "\n| configuration | users | clients | updates/s | p50 µs | p99 µs | p99/p50 | conflicts/s | writes per transaction | CPU µs per update: service · client |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for Row { config, workload, clients, cell: c } in rows {
        println!(
            "| {} | {} | {clients} | {:.0} | {:.0} | {:.0} | {:.1} | {:.0} | {:.1} | {:.0} · {:.0} |",
            config.name,
            workload.name(),
            c.per_s,
            c.p50_us,
            c.p99_us,
            c.p99_us / c.p50_us.max(1.0),
            c.conflicts_per_s,
            c.writes_per_tx,
            c.service_cpu_us,
            c.client_cpu_us
        );
    }
}

/// The issue's goal, from this run: at 64 clients on distinct users, group commit at least 5×
/// off and at least 0.7× the NORMAL ceiling, p99 at most 3× p50; one client not slower.
fn print_goals(rows: &[Row]) {
    let find = |name: &str, n: usize| {
        rows.iter()
            .find(|r| r.config.name == name && r.workload == Workload::Distinct && r.clients == n)
            .map(|r| r.cell)
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
        "  group on / NORMAL ceiling = {:.2}  (≥ 0.7; the ceiling is the better NORMAL row)",
        on.per_s / ceiling.max(1e-9)
    );
    println!("  group on p99 / p50        = {:.2}  (≤ 3)", on.p99_us / on.p50_us.max(1.0));
    if let (Some(on1), Some(off1)) = (find("group on", 1), find("group off", 1)) {
        println!(
            "  1 client, group on / off  = {:.2} updates/s, {:.2} p50  (not slower: ≥ 1 and ≤ 1)",
            on1.per_s / off1.per_s.max(1e-9),
            on1.p50_us / off1.p50_us.max(1.0)
        );
    }
}
