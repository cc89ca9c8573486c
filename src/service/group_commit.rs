//! Group commit: one background task per kind of write gathers the requests that arrive while
//! it works and writes them in one transaction, with multi-row statements.
//!
//! All writes share one write connection (on SQLite, one writer at a time), and each statement
//! costs a hand-off to that connection: a batch of N requests pays for one `BEGIN`, a few
//! statements and one `COMMIT` instead of N of each. A writer whose batches block their thread
//! (`BatchWrite::blocks_its_thread`: the store's SQLite token writer, which pays for no
//! hand-off at all) gets a thread of its own. How a writer writes is its own business (and
//! its store's): this module batches, answers and retries.
//!
//! Each job gets its own answer, and only after the batch is committed. A job refused (not
//! found, forbidden, conflict…) is answered with its error while the others commit. When the
//! transaction fails as a whole (a store error), each job of the batch is run again in a
//! transaction of its own, so the error reaches the job at fault only.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;

use tokio::sync::{mpsc, oneshot};

use super::error::{ServiceError, ServiceResult};
use crate::store::MAX_ROWS;

/// The most jobs one transaction carries.
const MAX_BATCH: usize = 256;
const _: () = assert!(
    MAX_BATCH <= MAX_ROWS,
    "a batch must fit in one multi-row statement"
);

/// How many jobs may wait for the writer; beyond that, submitters wait for room.
const QUEUE: usize = 4 * MAX_BATCH;

/// One kind of write, done for many jobs in one transaction.
pub(crate) trait BatchWrite: Send + Sync + 'static {
    type Job: Send + Sync + 'static;
    type Output: Send + 'static;

    /// Writes the jobs in one transaction, commits it, and returns one result per job, in the
    /// order of `jobs`. A job refused gets its error and must have written nothing; `Err`
    /// means the transaction as a whole failed and nothing was written.
    fn write(
        &self,
        jobs: &[Self::Job],
    ) -> impl Future<Output = ServiceResult<Vec<ServiceResult<Self::Output>>>> + Send;

    /// True for a writer whose batches block the thread they run on: its task gets a thread
    /// of its own.
    fn blocks_its_thread(&self) -> bool {
        false
    }
}

type Request<W> = (
    <W as BatchWrite>::Job,
    oneshot::Sender<ServiceResult<<W as BatchWrite>::Output>>,
);

/// The way to a writer task. The task ends when every clone of this handle is dropped (after
/// answering the jobs already queued).
pub(crate) struct GroupCommit<W: BatchWrite> {
    jobs: mpsc::Sender<Request<W>>,
}

impl<W: BatchWrite> Clone for GroupCommit<W> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<W: BatchWrite> GroupCommit<W> {
    /// Starts the writer task: on the current tokio runtime, or on a thread of its own for a
    /// writer that `blocks_its_thread`.
    pub(crate) fn spawn(writer: W) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let writer = Arc::new(writer);
        if writer.blocks_its_thread() {
            // Its batches block the thread, and so skip every hand-off between a task and a
            // driver thread mid-batch; a runtime of its own still lets it await the next jobs.
            let runtime = tokio::runtime::Builder::new_current_thread().build()?;
            std::thread::Builder::new()
                .name("orghub-batch-writer".into())
                .spawn(move || runtime.block_on(run(writer, queue)))?;
        } else {
            tokio::spawn(run(writer, queue));
        }
        Ok(Self { jobs })
    }

    /// Hands `job` to the writer and waits until it is committed (or refused).
    pub(crate) async fn submit(&self, job: W::Job) -> ServiceResult<W::Output> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send((job, answer))
            .await
            .map_err(|_| writer_gone())?;
        answered.await.map_err(|_| writer_gone())?
    }
}

/// The answer of a job whose writer stopped, or failed before answering it.
fn writer_gone() -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("the group-commit writer stopped"))
}

async fn run<W: BatchWrite>(writer: Arc<W>, mut queue: mpsc::Receiver<Request<W>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Waits for one job, then takes whatever else is queued already.
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let requests = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        // A panic in a batch loses that batch only: its answer senders are dropped with it,
        // and its callers get `writer_gone`. (Caught here rather than by running the batch as
        // a task of its own, which would add two trips through the scheduler per batch.)
        let written = AssertUnwindSafe(write_batch(&*writer, requests));
        if written.catch_unwind().await.is_err() {
            tracing::error!("a group-commit batch panicked");
        }
    }
}

async fn write_batch<W: BatchWrite>(writer: &W, requests: Vec<Request<W>>) {
    let (jobs, answers): (Vec<_>, Vec<_>) = requests.into_iter().unzip();
    match attempt(writer, &jobs).await {
        Ok(results) => {
            for (answer, result) in answers.into_iter().zip(results) {
                // The caller may have gone away (a closed connection): nothing to tell.
                let _ = answer.send(result);
            }
        }
        Err(error) if jobs.len() == 1 => {
            if let Some(answer) = answers.into_iter().next() {
                let _ = answer.send(Err(error));
            }
        }
        Err(error) => {
            // `{:#}`: the whole chain of an internal error's contexts.
            tracing::warn!(
                error = %format!("{error:#}"),
                jobs = jobs.len(),
                "a group commit failed; retrying its jobs one by one"
            );
            for (job, answer) in jobs.iter().zip(answers) {
                let result = attempt(writer, std::slice::from_ref(job))
                    .await
                    .and_then(|mut results| results.pop().ok_or_else(writer_gone));
                let _ = answer.send(result.and_then(|r| r));
            }
        }
    }
}

/// Writes the jobs; the results are known to be durable.
async fn attempt<W: BatchWrite>(
    writer: &W,
    jobs: &[W::Job],
) -> ServiceResult<Vec<ServiceResult<W::Output>>> {
    check_count(jobs, writer.write(jobs).await?)
}

/// `results`, if there is one for each job.
fn check_count<J, R>(jobs: &[J], results: Vec<R>) -> ServiceResult<Vec<R>> {
    if results.len() != jobs.len() {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "a batch of {} jobs gave {} results",
            jobs.len(),
            results.len()
        )));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::domain::Kind;
    use crate::store::{Location, Store};

    /// Answers each job with itself, refuses odd jobs, and fails the whole transaction when
    /// it holds a job over 1000 (as a store error would); records the size of each batch and
    /// the thread it ran on. With `blocks`, it asks for a thread of its own.
    #[derive(Default)]
    struct Echo {
        blocks: bool,
        batches: Mutex<Vec<usize>>,
        threads: Mutex<Vec<String>>,
    }

    impl Echo {
        fn answer(&self, jobs: &[u32]) -> ServiceResult<Vec<ServiceResult<u32>>> {
            self.batches.lock().unwrap().push(jobs.len());
            let thread = std::thread::current().name().unwrap_or("").to_owned();
            self.threads.lock().unwrap().push(thread);
            if jobs.iter().any(|&job| job > 1000) {
                return Err(ServiceError::Internal(anyhow::anyhow!("poisoned")));
            }
            Ok(jobs
                .iter()
                .map(|&job| {
                    if job % 2 == 1 {
                        Err(ServiceError::NotFound {
                            kind: Kind::User,
                            id: job.to_string(),
                        })
                    } else {
                        Ok(job)
                    }
                })
                .collect())
        }
    }

    impl BatchWrite for Arc<Echo> {
        type Job = u32;
        type Output = u32;

        async fn write(&self, jobs: &[u32]) -> ServiceResult<Vec<ServiceResult<u32>>> {
            self.answer(jobs)
        }

        fn blocks_its_thread(&self) -> bool {
            self.blocks
        }
    }

    #[tokio::test]
    async fn concurrent_jobs_share_a_transaction_and_get_their_own_answers() {
        let echo = Arc::new(Echo::default());
        let writer = GroupCommit::spawn(echo.clone()).unwrap();
        let answers = futures::future::join_all((0..300).map(|job| writer.submit(job))).await;
        for (job, answer) in (0..300).zip(answers) {
            match answer {
                Ok(value) => assert_eq!((job % 2, value), (0, job)),
                Err(ServiceError::NotFound { id, .. }) => {
                    assert_eq!((job % 2, id), (1, job.to_string()))
                }
                Err(other) => panic!("job {job}: {other}"),
            }
        }
        let batches = echo.batches.lock().unwrap().clone();
        assert_eq!(batches.iter().sum::<usize>(), 300);
        assert!(batches.iter().all(|&n| n <= MAX_BATCH), "{batches:?}");
        assert!(batches.iter().any(|&n| n > 1), "no batching: {batches:?}");
    }

    #[tokio::test]
    async fn a_failed_transaction_is_retried_job_by_job() {
        let echo = Arc::new(Echo::default());
        let writer = GroupCommit::spawn(echo.clone()).unwrap();
        // One batch: the test's runtime has one thread, so all four are queued before the
        // writer runs.
        let jobs = [2, 3, 2000, 4];
        let answers = futures::future::join_all(jobs.map(|job| writer.submit(job))).await;
        assert_eq!(answers[0].as_ref().ok(), Some(&2));
        assert!(matches!(answers[1], Err(ServiceError::NotFound { .. })));
        assert_eq!(
            answers[2].as_ref().unwrap_err().to_string(),
            "poisoned",
            "only the job at fault fails"
        );
        assert_eq!(answers[3].as_ref().ok(), Some(&4));
        let batches = echo.batches.lock().unwrap().clone();
        assert_eq!(
            batches.iter().sum::<usize>(),
            8,
            "once together, then one by one"
        );
    }

    #[tokio::test]
    async fn a_blocking_writer_runs_on_a_thread_of_its_own_with_the_same_answers() {
        let echo = Arc::new(Echo {
            blocks: true,
            ..Echo::default()
        });
        let writer = GroupCommit::spawn(echo.clone()).unwrap();
        let jobs = [2, 3, 2000, 4];
        let answers = futures::future::join_all(jobs.map(|job| writer.submit(job))).await;
        assert_eq!(answers[0].as_ref().ok(), Some(&2));
        assert!(matches!(answers[1], Err(ServiceError::NotFound { .. })));
        assert_eq!(answers[2].as_ref().unwrap_err().to_string(), "poisoned");
        assert_eq!(answers[3].as_ref().ok(), Some(&4));
        let threads = echo.threads.lock().unwrap().clone();
        assert!(
            threads.iter().all(|name| name == "orghub-batch-writer"),
            "{threads:?}"
        );
    }

    /// Writes nothing, in a transaction of its store.
    struct Transacts(Store);

    impl BatchWrite for Transacts {
        type Job = u32;
        type Output = u32;

        async fn write(&self, jobs: &[u32]) -> ServiceResult<Vec<ServiceResult<u32>>> {
            let tx = self.0.begin().await.map_err(anyhow::Error::new)?;
            tx.commit().await.map_err(anyhow::Error::new)?;
            Ok(jobs.iter().map(|&job| Ok(job)).collect())
        }
    }

    #[tokio::test]
    async fn a_closed_store_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Location::SqliteFile(&dir.path().join("t.sqlite3")))
            .await
            .unwrap();
        let writer = GroupCommit::spawn(Transacts(store.clone())).unwrap();
        assert_eq!(writer.submit(2).await.ok(), Some(2));
        store.close().await;
        assert!(matches!(
            writer.submit(2).await,
            Err(ServiceError::Internal(_))
        ));
    }

    /// Panics on every batch.
    struct Panics;

    impl BatchWrite for Panics {
        type Job = u32;
        type Output = u32;

        async fn write(&self, _jobs: &[u32]) -> ServiceResult<Vec<ServiceResult<u32>>> {
            panic!("a bug in a writer")
        }
    }

    #[tokio::test]
    async fn a_panicking_batch_answers_its_jobs_and_the_writer_goes_on() {
        let writer = GroupCommit::spawn(Panics).unwrap();
        for _ in 0..2 {
            let answer = writer.submit(2).await;
            assert_eq!(
                answer.unwrap_err().to_string(),
                "the group-commit writer stopped"
            );
        }
    }
}
