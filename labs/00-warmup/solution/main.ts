// Lab 00 — warm-up. A tiny JSON API: a health check and a greeting.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const MAX_NAME_LENGTH = 40;

const app = new Hono();

// #region health
app.get('/health', (c) => c.json({ status: 'ok' }));
// #endregion health

// #region hello
app.get('/hello', (c) => {
  const name = c.req.query('name') ?? 'world';
  if (name.trim() === '' || name.length > MAX_NAME_LENGTH) {
    return c.json(
      {
        error: {
          code: 'validation_failed',
          message: 'The query parameter "name" is invalid.',
          details: [{ field: 'name', message: `must be 1 to ${MAX_NAME_LENGTH} characters` }],
          request_id: randomUUID(),
          timestamp: new Date().toISOString(),
        },
      },
      400,
    );
  }
  return c.json({ message: `Hello, ${name}!` });
});
// #endregion hello

// The harness (and `lab start`) tell the app its port through the PORT environment variable.
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`warm-up API listening on http://localhost:${info.port}`);
});
