// Lab 04 — a tiny CI bot. Read labs/04-github-webhooks/README.md, then run: npm run lab -- check 04
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// Done for you: the harness (and `npm run lab -- start 04`) set these.
const apiUrl = (process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, '');
const token = process.env.GITHUB_TOKEN ?? '';
const secret = process.env.GITHUB_WEBHOOK_SECRET ?? '';

const app = new Hono();

// Done for you: the harness calls this to know your app is up.
app.get('/health', (c) => c.json({ status: 'ok' }));

// TODO 1: POST /webhooks/github — read the raw body and check X-Hub-Signature-256 ("sha256=" + HMAC-SHA256 hex of the
//         body with `secret`) in constant time; 401 with the error envelope when it is missing, malformed or wrong
//         (never 500). Accept bodies up to 25 MB.
// TODO 2: X-GitHub-Event "ping" → 200.
// TODO 3: "pull_request" opened / synchronize / reopened → answer 202, then POST
//         `${apiUrl}/repos/{full_name}/statuses/{head sha}` with `token`: "pending", then "success" or "failure" by
//         the title rule in the README (context "lab-bot/pr-title").
// TODO 4: "push" to the default branch (repository.default_branch) → record a deployment { id, sha, ref, commits,
//         pusher, delivery_id, created_at }; GET /deployments lists them as { data: [...] }.
// TODO 5: the same X-GitHub-Delivery twice → 2xx, but act only once (pull requests and pushes).
// TODO 6: every other event → 204.
void apiUrl;
void token;
void secret;

// Keep this: the port comes from the PORT environment variable.
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`CI bot listening on http://localhost:${info.port}`);
});
