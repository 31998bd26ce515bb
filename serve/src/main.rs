//! The `userform` binary: `userform serve` and `userform user add` (SPEC §9).
//!
//! The databases are opened before the async runtime starts (the synchronous PostgreSQL
//! client runs a runtime of its own, which may not start inside another), and closed after it
//! stopped.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;
use userform_serve::config::{AddArgs, Cli, Command, ServeArgs, UserCommand};
use userform_serve::{config, http};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve(args) => serve(&args),
        Command::User(UserCommand::Add(args)) => add(&args),
    }
}

fn serve(args: &ServeArgs) -> ExitCode {
    let service = match args.build() {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let served = runtime.block_on(async {
        let listener = TcpListener::bind(&args.listen).await?;
        let addr = listener.local_addr()?;
        // On stdout, for scripts that listen on port 0.
        println!("userform: listening on http://{addr}");
        tracing::info!(%addr, "listening");
        http::serve(listener, service.clone(), shutdown_signal()).await
    });
    drop(runtime);
    drop(service);
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

fn add(args: &AddArgs) -> ExitCode {
    let accounts = match config::open(&args.data) {
        Ok(opened) => opened.accounts,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match accounts.add(&args.form, &args.login, &args.password) {
        Ok(user) => {
            println!("{}", user.public());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.body());
            ExitCode::from(1)
        }
    }
}
