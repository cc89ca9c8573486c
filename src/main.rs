use clap::Parser;

use orghub::cli::{Cli, run};

/// mimalloc rather than the system allocator: a request makes a few dozen short-lived
/// allocations, and glibc's malloc and free were a fifth of a read's instructions (see
/// bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How many tasks a runtime worker runs between looks at the shared queue (tokio's default: 61).
const GLOBAL_QUEUE_INTERVAL: u32 = 4;

fn main() -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Database answers wake their requests from the drivers' own threads, through the
        // runtime's shared queue, which a busy worker looks at only every 61 tasks by default:
        // under load a request waiting on the one SQLite writer then waits behind dozens of
        // others at each statement.
        .global_queue_interval(GLOBAL_QUEUE_INTERVAL)
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Cli::parse())) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
