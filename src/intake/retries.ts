/**
 * When the queue tries a failed batch again (ADR 0010 §Failures), as pure logic: the
 * store records the failure (batches.store.ts), the queue calls both (pipeline.ts drainQueue).
 */
import { TaxgateError } from '../errors.ts';

/** The wait after the first failed attempt; it doubles with each further one. */
export const FIRST_RETRY_SECONDS = 15;
/** The longest wait: a batch that keeps failing is still tried four times an hour. */
export const LONGEST_RETRY_SECONDS = 900;

/**
 * Seconds the queue leaves a batch alone after its `failedAttempts`-th failed attempt:
 * 15, 30, 60 … doubling, at most 900. A fault that clears (a database restart, a lock
 * timeout) is retried soon; one that does not costs an attempt every quarter-hour, not
 * every tick of the worker, and never holds up the batches behind it.
 * @example retryDelaySeconds(1) // 15
 * @example retryDelaySeconds(3) // 60
 */
export function retryDelaySeconds(failedAttempts: number): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  return Math.min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (n - 1));
}

/**
 * The code kept for a failed attempt: a TaxgateError's own code, else INTERNAL_ERROR.
 * Never the message: an unexpected error's message could echo what it was reading.
 * @example failureCode(new ConflictError('BATCH_STATE_CHANGED', '…')) // 'BATCH_STATE_CHANGED'
 * @example failureCode(new TypeError('x is undefined')) // 'INTERNAL_ERROR'
 */
export function failureCode(err: unknown): string {
  return err instanceof TaxgateError ? err.code : 'INTERNAL_ERROR';
}

/**
 * Whether a failure is the batch's own, to be recorded and retried later, or only says
 * that another worker has it (it was claimed or taken over meanwhile): nothing to record.
 * @example isBatchFailure(new ConflictError('BATCH_LEASED', '…')) // false
 */
export function isBatchFailure(err: unknown): boolean {
  return !(
    err instanceof TaxgateError &&
    (err.code === 'BATCH_LEASED' || err.code === 'BATCH_LEASE_LOST')
  );
}

/** What the operator view says of a batch's failed attempts (migration 0011). */
export interface ProcessingFailures {
  failed_attempts: number;
  last_error: string | null;
  retry_after: string | null;
}

/**
 * A batch's failed attempts in one line, as `batch show`, `batch submit --wait` and
 * `taxgate serve` print them; '' when none failed. The retry time only while the batch
 * still waits for the queue.
 * @example describeFailures({ failed_attempts: 2, last_error: 'INTERNAL_ERROR', retry_after: 'T' }, true)
 * // 'processing failed 2 times, last with INTERNAL_ERROR; the queue tries it again after T'
 */
export function describeFailures(p: ProcessingFailures, waiting: boolean): string {
  const n = p.failed_attempts;
  if (n === 0) return '';
  const retry = waiting && p.retry_after ? `; the queue tries it again after ${p.retry_after}` : '';
  return `processing failed ${n} time${n === 1 ? '' : 's'}, last with ${p.last_error}${retry}`;
}
