import type { Command } from 'commander';

/** `lab serve` (what `npm start` runs): the course site, plus the mock servers once they exist. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the course site (and the mock servers) for students')
    .option('--port <port>', 'site port', '5173')
    .action(async (opts: { port: string }) => {
      // Placeholder until the site lands: a page that says where things are.
      const { serve } = await import('@hono/node-server');
      const { Hono } = await import('hono');
      const app = new Hono().get('*', (c) =>
        c.html('<h1>Integration Lab</h1><p>The course site is being built. Meanwhile: <code>npm run lab -- doctor</code>.</p>'),
      );
      serve({ fetch: app.fetch, port: Number(opts.port), hostname: '127.0.0.1' }, (info) => {
        console.log(`Integration Lab site: http://localhost:${info.port}/`);
      });
    });
}
