//! Passwords are stored as argon2id PHC strings. Hashing is slow and memory-hard on purpose
//! (tens of milliseconds and about 19 MiB per hash with the default parameters), so it runs
//! only through a [`PasswordGate`], here, for every caller: at most as many hashes at once as
//! it has permits, whatever the number of requests, each on one of the gate's own threads.
//! Without it, 64 parallel sign-ins held 64 argon2 buffers and the server grew past a
//! gigabyte.
//!
//! Each of those threads keeps its argon2 memory (~19 MiB) for its next hash, zeroed after
//! each use, instead of allocating it per hash: freed and allocated again, such buffers were
//! kept by the allocator in pieces it could not reuse (glibc raises its mmap threshold after
//! the first free), and a server held 150 MB after nine sequential sign-ins, 560 MB after a
//! flood, although no more than two hashes ever ran at once. Now the memory of password work
//! is the gate's threads' buffers, whatever the traffic.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, mpsc};
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// A hash to run on one of the gate's threads.
type Job = Box<dyn FnOnce() + Send>;

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Every permit stayed taken for the gate's whole wait: the server is at its limit.
    #[error("every password permit stayed busy for {0:?}")]
    Busy(Duration),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// The limit on concurrent argon2 work of one server: a fair (first come, first served) queue
/// of permits. A request waits for a permit at most `wait`, then is refused
/// ([`PasswordError::Busy`]): a flood of sign-ins costs time in the queue, never memory.
pub struct PasswordGate {
    permits: Arc<Semaphore>,
    wait: Duration,
    /// To the gate's threads, one per permit; they end when the gate is dropped.
    jobs: mpsc::Sender<Job>,
    /// Hashes running now, and the most ever running at once (what the memory bound rests on).
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

/// A permit taken out of the gate by [`PasswordGate::try_hold`]: no hash runs on it until it
/// is dropped.
pub struct HeldPermit(#[allow(dead_code)] OwnedSemaphorePermit);

impl PasswordGate {
    /// `concurrency` hashes at once (at least one); a request waits at most `wait` for its turn.
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        let concurrency = concurrency.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..concurrency {
            let queue = queue.clone();
            // Detached: each thread ends when the channel closes, with the gate.
            let _ = std::thread::Builder::new()
                .name(format!("orghub-password-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only to take a job, not to run it.
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            // A panicking hash loses its answer (an internal error for its
                            // request), not the thread.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => break,
                        }
                    }
                });
        }
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            wait,
            jobs,
            running: Arc::default(),
            peak: Arc::default(),
        }
    }

    /// One permit per core: argon2 is CPU-bound, so more at once would only queue on the cores
    /// while each held its memory.
    pub fn per_core(wait: Duration) -> Self {
        Self::new(cores(), wait)
    }

    /// Hashes `password` with argon2id, on the gate's threads, once a permit is free.
    pub async fn hash_password_blocking(&self, password: String) -> Result<String, PasswordError> {
        self.run(move || hash_password(&password))
            .await?
            .map_err(PasswordError::Failed)
    }

    /// True when `password` matches the PHC string `phc`. Without a stored hash (no such
    /// account, or one without a password) a decoy is checked instead, so that the refusal
    /// takes as long as a wrong password's. A malformed stored hash never matches.
    pub async fn verify_password_blocking(
        &self,
        password: String,
        phc: Option<String>,
    ) -> Result<bool, PasswordError> {
        self.run(move || match phc {
            Some(phc) => verify_password(&password, &phc),
            None => {
                if let Some(decoy) = DECOY_HASH.as_deref() {
                    verify_password(&password, decoy);
                }
                false
            }
        })
        .await
    }

    /// The most hashes that ever ran at once through this gate.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Acquire)
    }

    /// Takes a permit without waiting, if one is free (tests fill the gate with these).
    pub fn try_hold(&self) -> Option<HeldPermit> {
        self.permits
            .clone()
            .try_acquire_owned()
            .ok()
            .map(HeldPermit)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| PasswordError::Busy(self.wait))?
            .context("the password gate is closed")?;
        let (running, peak) = (self.running.clone(), self.peak.clone());
        let (answer, answered) = oneshot::channel();
        // The permit moves into the job: a client that goes away while its hash runs does not
        // free the permit before the hash (and its memory) is done. One permit per thread, so
        // a job never waits in the channel.
        let job: Job = Box::new(move || {
            let now = running.fetch_add(1, Ordering::AcqRel) + 1;
            peak.fetch_max(now, Ordering::AcqRel);
            let out = work();
            running.fetch_sub(1, Ordering::AcqRel);
            drop(permit);
            let _ = answer.send(out);
        });
        self.jobs
            .send(job)
            .map_err(|_| anyhow::anyhow!("the password threads are gone"))?;
        Ok(answered
            .await
            .context("the password task failed before answering")?)
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The hash of a random password nobody knows, made on first use (on a gate's thread, under a
/// permit, as it is first needed by a verification).
static DECOY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_password(&super::random_hex_secret()).ok());

thread_local! {
    /// The memory argon2 works in, kept by each of the gate's threads for its next hash.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` on this thread's argon2 memory of `blocks` blocks, zeroed afterwards (it held
/// state derived from a password).
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::new());
        }
        let out = work(&mut memory[..blocks]);
        memory.fill(Block::new());
        out
    })
}

/// The most argon2 memory a stored hash may ask for: 64 MiB (orghub's own ask for 19).
const MAX_BLOCKS: usize = 64 * 1024;

/// Salt bytes of a new hash (the PHC string's recommended 16).
const SALT_BYTES: usize = 16;

/// argon2id with the crate's default parameters (m = 19 MiB, t = 2, p = 1), as a PHC string.
fn hash_password(password: &str) -> anyhow::Result<String> {
    let argon2 = Argon2::default();
    let params = argon2.params().clone();
    let salt = Salt::new(&super::random_bytes(SALT_BYTES))
        .map_err(|e| anyhow::anyhow!("making a salt failed: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut out, memory)
    })
    .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("writing argon2 parameters failed: {e}"))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("an argon2 output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// True when `password` hashes, with the algorithm, version, parameters and salt of `phc`, to
/// its hash (compared in constant time). Anything malformed never matches.
fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Params::try_from(&parsed),
        parsed.salt.as_ref(),
        parsed.hash.as_ref(),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    // A stored hash asks for its own memory: never more than a bound, whatever a damaged row
    // says.
    if params.block_count() > MAX_BLOCKS {
        return false;
    }
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let hashed = with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut out, memory)
    });
    hashed.is_ok() && super::constant_time_eq(&out, expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> PasswordGate {
        PasswordGate::new(2, Duration::from_secs(60))
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let gate = gate();
        let phc = gate
            .hash_password_blocking("correct horse".into())
            .await
            .unwrap();
        assert!(phc.starts_with("$argon2id$"));
        let verify = |password: &str, phc: Option<&str>| {
            gate.verify_password_blocking(password.into(), phc.map(str::to_owned))
        };
        assert!(verify("correct horse", Some(&phc)).await.unwrap());
        assert!(!verify("wrong horse", Some(&phc)).await.unwrap());
        assert!(!verify("correct horse", Some("not a hash")).await.unwrap());
        assert!(!verify("correct horse", None).await.unwrap());
    }

    /// Hashes made before this module kept its own memory (by `PasswordHasher`) still verify,
    /// and its own hashes verify with the crate's verifier.
    #[test]
    fn hashes_are_interchangeable_with_the_argon2_crates() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        assert!(verify_password("correct horse", &theirs));
        assert!(!verify_password("wrong horse", &theirs));
        let ours = hash_password("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        assert_ne!(
            ours,
            hash_password("correct horse").unwrap(),
            "a fresh salt each time"
        );
    }

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_the_gate_has_permits() {
        let gate = Arc::new(gate());
        let tasks: Vec<_> = (0..12)
            .map(|i| {
                let gate = gate.clone();
                tokio::spawn(
                    async move { gate.verify_password_blocking(format!("p{i}"), None).await },
                )
            })
            .collect();
        for task in tasks {
            assert!(!task.await.unwrap().unwrap());
        }
        assert!((1..=2).contains(&gate.peak()), "{}", gate.peak());
    }

    #[tokio::test]
    async fn a_full_gate_refuses_after_its_wait() {
        let gate = PasswordGate::new(1, Duration::ZERO);
        let held = gate.try_hold().expect("a free permit");
        assert!(gate.try_hold().is_none());
        assert!(matches!(
            gate.hash_password_blocking("correct horse".into()).await,
            Err(PasswordError::Busy(_))
        ));
        drop(held);
        assert!(
            gate.hash_password_blocking("correct horse".into())
                .await
                .is_ok()
        );
    }
}
