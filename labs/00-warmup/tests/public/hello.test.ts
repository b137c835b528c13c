import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

graded('GET /health answers 200 with {"status":"ok"}', {
  points: 1,
  hint: 'The starter has this route already: keep `app.get("/health", …)` and keep listening on process.env.PORT.',
}, async () => {
  const res = await http(`${run.url}/health`);
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ status: 'ok' });
});

graded('GET /hello greets the world when no name is given', {
  points: 3,
  hint: 'Add `app.get("/hello", …)` returning c.json({ message: "Hello, world!" }) when the query has no name.',
}, async () => {
  const res = await http(`${run.url}/hello`);
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ message: 'Hello, world!' });
});

graded('GET /hello?name=Ada greets Ada', {
  points: 3,
  hint: 'Read the name with c.req.query("name") and put it in the message: "Hello, Ada!".',
}, async () => {
  const res = await http(`${run.url}/hello?name=Ada`);
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ message: 'Hello, Ada!' });
});
