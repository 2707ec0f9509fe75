/**
 * Runs the batch queue in the background of a server: woken at once after each
 * submission and every `intervalMs` to pick up batches left by a crash or by
 * other processes. One drain runs at a time in this process.
 */
export interface QueueWorker {
  wake(): void;
  /** Resolves when the worker is idle (for tests and `--wait`). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startQueueWorker(
  drain: () => Promise<number>,
  onError: (err: unknown) => void,
  intervalMs = 2000,
): QueueWorker {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await drain();
        } catch (err) {
          onError(err);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return {
    wake: run,
    idle: async () => {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
    },
  };
}
