import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../errors.ts';
import {
  describeFailures,
  failureCode,
  FIRST_RETRY_SECONDS,
  isBatchFailure,
  LONGEST_RETRY_SECONDS,
  retryDelaySeconds,
} from './retries.ts';

describe('retryDelaySeconds', () => {
  it('starts at the first wait and doubles with each failed attempt', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([
      FIRST_RETRY_SECONDS,
      FIRST_RETRY_SECONDS * 2,
      FIRST_RETRY_SECONDS * 4,
      FIRST_RETRY_SECONDS * 8,
    ]);
  });

  it('never waits longer than the longest wait, however many attempts failed', () => {
    expect(retryDelaySeconds(7)).toBe(LONGEST_RETRY_SECONDS);
    expect(retryDelaySeconds(1_000_000)).toBe(LONGEST_RETRY_SECONDS);
  });

  it('treats a count below one as the first failure', () => {
    expect(retryDelaySeconds(0)).toBe(FIRST_RETRY_SECONDS);
    expect(retryDelaySeconds(-3)).toBe(FIRST_RETRY_SECONDS);
  });
});

describe('failureCode', () => {
  it("keeps a taxgate error's code and nothing of an unexpected error's message", () => {
    expect(failureCode(new NotFoundError('AGREEMENT_NOT_FOUND', 'no agreement a-1'))).toBe(
      'AGREEMENT_NOT_FOUND',
    );
    expect(failureCode(new TypeError('cannot read MARIA GARCIA'))).toBe('INTERNAL_ERROR');
    expect(failureCode('a string thrown')).toBe('INTERNAL_ERROR');
  });
});

describe('isBatchFailure', () => {
  it('does not count another worker holding or taking over the batch', () => {
    expect(isBatchFailure(new ConflictError('BATCH_LEASED', 'held'))).toBe(false);
    expect(isBatchFailure(new ConflictError('BATCH_LEASE_LOST', 'taken'))).toBe(false);
  });

  it('counts every other error', () => {
    expect(isBatchFailure(new ConflictError('BATCH_STATE_CHANGED', 'changed'))).toBe(true);
    expect(isBatchFailure(new Error('connection terminated'))).toBe(true);
  });
});

describe('describeFailures', () => {
  const failures = { failed_attempts: 2, last_error: 'INTERNAL_ERROR', retry_after: 'T' };

  it('says how many attempts failed, the last code, and when the queue tries again', () => {
    expect(describeFailures(failures, true)).toBe(
      'processing failed 2 times, last with INTERNAL_ERROR; the queue tries it again after T',
    );
    expect(describeFailures({ ...failures, failed_attempts: 1 }, true)).toMatch(
      /^processing failed 1 time,/,
    );
  });

  it('leaves out the retry once the batch no longer waits, and says nothing without failures', () => {
    expect(describeFailures(failures, false)).toBe(
      'processing failed 2 times, last with INTERNAL_ERROR',
    );
    expect(
      describeFailures({ failed_attempts: 0, last_error: null, retry_after: null }, true),
    ).toBe('');
  });
});
