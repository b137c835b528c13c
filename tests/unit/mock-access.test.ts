// Where `lab mock` and `npm start` keep each mock's control token for `lab start`: a file only this user can read,
// gone when the mock stops, and never removed by a process that did not write it.
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { mockAccessFile, readMockAccess, recordMockAccess } from '../../cli/mock-access.ts';

const saved = process.env.INTEGRATION_LAB_STATE;
beforeEach(() => {
  process.env.INTEGRATION_LAB_STATE = mkdtempSync(join(tmpdir(), 'lab-state-'));
});
afterEach(() => {
  if (saved === undefined) delete process.env.INTEGRATION_LAB_STATE;
  else process.env.INTEGRATION_LAB_STATE = saved;
});

const stripe = { name: 'stripe', url: 'http://127.0.0.1:12111', port: 12111, controlToken: 'ctl_token-of-this-start' };

test('the file holds the URL and token, readable by this user only, and goes when the mock stops', () => {
  const forget = recordMockAccess(stripe);
  const file = mockAccessFile('stripe', 12111);
  expect(file).toBe(join(process.env.INTEGRATION_LAB_STATE!, 'mocks', 'stripe-12111.json'));
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(process.env.INTEGRATION_LAB_STATE!, 'mocks')).mode & 0o777).toBe(0o700);
  expect(readMockAccess('stripe', 12111)).toEqual({
    name: 'stripe',
    url: stripe.url,
    controlToken: stripe.controlToken,
    pid: process.pid,
  });
  expect(readMockAccess('stripe', 12999)).toBeUndefined();
  forget();
  expect(existsSync(file)).toBe(false);
  expect(readMockAccess('stripe', 12111)).toBeUndefined();
});

test('a file another process has written since is left alone', () => {
  const forget = recordMockAccess(stripe);
  const file = mockAccessFile('stripe', 12111);
  writeFileSync(
    file,
    JSON.stringify({ name: 'stripe', url: stripe.url, controlToken: 'ctl_newer-start', pid: process.pid + 1 }),
  );
  forget();
  expect(readMockAccess('stripe', 12111)?.controlToken).toBe('ctl_newer-start');
});

test('a damaged file reads as no mock', () => {
  recordMockAccess(stripe)();
  writeFileSync(mockAccessFile('stripe', 12111), '{ not json');
  expect(readMockAccess('stripe', 12111)).toBeUndefined();
});
