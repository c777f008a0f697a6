import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobRetryAt } from '../../functions/domain/job-retries.js';

describe('job retries', () => {
  it('retry a failed item a minute later, doubling the wait with each failure in a row, at most an hour', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 50].map((failures) => (Date.parse(jobRetryAt(failures, now)) - now.getTime()) / 60_000);
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });
});
