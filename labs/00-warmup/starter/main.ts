// Lab 00 — warm-up. Read labs/00-warmup/README.md, then run: npm run lab -- check 00
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();

// Done for you: the harness calls this to know your app is up.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 1: GET /hello answers {"message":"Hello, world!"}
// TODO 2: GET /hello?name=Ada answers {"message":"Hello, Ada!"}
// TODO 3: a name that is empty or longer than 40 characters gets 400 and the error envelope from the README

// Keep this: the port comes from the PORT environment variable.
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`warm-up API listening on http://localhost:${info.port}`);
});
