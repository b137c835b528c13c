// Lab 02 — the order service, secured. Configuration comes from the environment (see the README).
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createOrderStore } from './orders.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const app = createApp(config, createOrderStore());
serve({ fetch: app.fetch, port: config.port }, (info) => {
  console.log(`secured order service listening on http://localhost:${info.port}`);
});
