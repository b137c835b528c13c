import { afterAll, beforeAll, expect } from 'vitest';
import { expectErrorEnvelope, graded, http, startLab, type LabRun } from '#testkit';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

graded(
  'GET /health answers 200 with {"status":"ok"}',
  {
    rule: 'health',
    points: 1,
    hint: 'The starter has this route already: keep `app.get("/health", …)` and keep listening on process.env.PORT.',
  },
  async () => {
    const res = await http(`${run.url}/health`);
    expect(res.status, res.said).toBe(200);
    expect(res.json, res.said).toEqual({ status: 'ok' });
  },
);

graded(
  'GET /hello greets the world when no name is given',
  {
    rule: 'greeting',
    points: 3,
    hint: 'Add `app.get("/hello", …)` returning c.json({ message: "Hello, world!" }) when the query has no name.',
  },
  async () => {
    const res = await http(`${run.url}/hello`);
    expect(res.status, res.said).toBe(200);
    expect(res.json, res.said).toEqual({ message: 'Hello, world!' });
  },
);

graded(
  'GET /hello?name=Ada greets Ada',
  {
    rule: 'greeting',
    points: 3,
    hint: 'Read the name with c.req.query("name") and put it in the message: "Hello, Ada!".',
  },
  async () => {
    const res = await http(`${run.url}/hello?name=Ada`);
    expect(res.status, res.said).toBe(200);
    expect(res.json, res.said).toEqual({ message: 'Hello, Ada!' });
  },
);

graded(
  'A refused name gets the error envelope, with an entry for the field "name"',
  {
    rule: 'error-envelope',
    points: 2,
    hint: 'Answer a bad name with { error: { code, message, details: [{ field: "name", message }], request_id, timestamp } } (see the README).',
  },
  async () => {
    // The envelope is checked on the first bad name the app refuses (which names it refuses is another rule's business).
    let refused;
    for (const name of ['', '   ', 'x'.repeat(41)]) {
      const res = await http(`${run.url}/hello?name=${encodeURIComponent(name)}`);
      if (res.status >= 400 && res.status < 500) {
        refused = res;
        break;
      }
    }
    expect(
      refused,
      'none of name="", name="   " and a 41-character name was refused with a 4xx, so there is no envelope to check',
    ).toBeDefined();
    expectErrorEnvelope(refused!);
    const error = refused!.json.error;
    expect(
      Array.isArray(error.details) &&
        error.details.some(
          (d: { field?: unknown; message?: unknown }) => d?.field === 'name' && typeof d.message === 'string',
        ),
      `error.details has { "field": "name", "message": "…" }: ${refused!.said}`,
    ).toBe(true);
  },
);
