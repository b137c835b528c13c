// Lab 01 — the shop's order service: customers and their orders, a REST API in Hono.
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { createRepository } from './repository.ts';

const app = createApp(createRepository());

// The harness (and `lab start`) give the port in the PORT environment variable.
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`order service listening on http://localhost:${info.port}`);
});
