/**
 * One writer for the knowledge store: jobs (log appends, flushes to LanceDB, deletes, compaction) run one at a
 * time in arrival order, so LanceDB never sees concurrent commits and the fresh tier never changes under a
 * flush. Reads do not go through it and run in parallel. `close()` drains outstanding jobs for a clean shutdown.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Runs `job` after every job queued before it; its result or error goes to the caller. */
  run<R>(job: () => Promise<R>): Promise<R> {
    if (this.closed) return Promise.reject(new Error('The knowledge store is closed; the write was not made.'));
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Waits until every queued job has finished (successfully or not). */
  async drain(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }

  /** Waits for queued jobs, then refuses new ones. */
  async close(finalJob?: () => Promise<void>): Promise<void> {
    if (finalJob) await this.run(finalJob);
    await this.drain();
    this.closed = true;
  }
}
