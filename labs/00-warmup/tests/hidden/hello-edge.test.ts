import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

graded('GET /hello answers JSON (Content-Type: application/json)', {
  points: 1,
  hint: 'Use c.json(…), not c.text(…): clients rely on the Content-Type header to parse the body.',
}, async () => {
  const res = await http(`${run.url}/hello?name=Grace`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
});

graded('GET /hello rejects an empty or over-long name with 400 and the error envelope', {
  points: 2,
  hint: 'Check the name before greeting: empty or more than 40 characters → status 400 with { error: { code, message, details: [{ field: "name", message }], request_id, timestamp } }.',
}, async () => {
  for (const name of ['', '   ', 'x'.repeat(41)]) {
    const res = await http(`${run.url}/hello?name=${encodeURIComponent(name)}`);
    expect(res.status, `name=${JSON.stringify(name)}`).toBe(400);
    expect(res.json?.error?.details?.[0]?.field).toBe('name');
    expect(typeof res.json?.error?.message).toBe('string');
    expect(typeof res.json?.error?.request_id).toBe('string');
    expect(Number.isNaN(Date.parse(res.json?.error?.timestamp))).toBe(false);
  }
  const longest = await http(`${run.url}/hello?name=${'y'.repeat(40)}`);
  expect(longest.status).toBe(200);
});
