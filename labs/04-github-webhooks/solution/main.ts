// Lab 04 — a tiny CI bot: GitHub tells it about pull requests and pushes; it answers with commit statuses and
// records deployments.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { verifySignature } from './signature.ts';

const apiUrl = (process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, '');
const token = required('GITHUB_TOKEN');
const secret = required('GITHUB_WEBHOOK_SECRET');

/** GitHub does not deliver payloads over 25 MB; we accept anything up to that and nothing more. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
const STATUS_CONTEXT = 'lab-bot/pr-title';
/** Conventional Commits: "type(scope)!: description". */
const TITLE_RULE = /^(feat|fix|docs|style|refactor|perf|test|build|ci|chore|revert)(\([\w./-]+\))?!?: \S/;

interface Deployment {
  id: string;
  sha: string;
  ref: string;
  commits: number;
  pusher: string;
  delivery_id: string;
  created_at: string;
}
const deployments: Deployment[] = [];

// #region dedupe
// GitHub does not retry on its own, but people (and scripts) redeliver: the same X-GitHub-Delivery GUID again.
// Remember the last ones we handled; a bounded set is enough because redeliveries are only possible for days.
const MAX_REMEMBERED = 10_000;
const handled = new Set<string>();
function firstTime(deliveryId: string): boolean {
  if (handled.has(deliveryId)) return false;
  handled.add(deliveryId);
  if (handled.size > MAX_REMEMBERED) handled.delete(handled.values().next().value!);
  return true;
}
// #endregion dedupe

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
app.get('/deployments', (c) => c.json({ data: deployments }));

// #region receive
app.post(
  '/webhooks/github',
  bodyLimit({ maxSize: MAX_PAYLOAD_BYTES, onError: (c) => fail(c, 413, 'payload_too_large', `Payloads are limited to ${MAX_PAYLOAD_BYTES} bytes.`) }),
  async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (!verifySignature(secret, raw, c.req.header('x-hub-signature-256'))) {
      return fail(c, 401, 'invalid_signature', 'X-Hub-Signature-256 is missing or does not match the body.');
    }
    const event = c.req.header('x-github-event') ?? '';
    const deliveryId = c.req.header('x-github-delivery') ?? '';
    if (!deliveryId) return fail(c, 400, 'missing_delivery_id', 'X-GitHub-Delivery is required.');
    let payload;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(c, 400, 'invalid_json', 'The body is not JSON: create the hook with content_type "json".');
    }
    if (event === 'ping') return c.json({ message: 'pong', zen: payload.zen ?? null });
    if (!firstTime(deliveryId)) return c.json({ message: 'already handled', delivery_id: deliveryId });

    if (event === 'pull_request' && ['opened', 'synchronize', 'reopened'].includes(payload.action)) {
      // Answer GitHub now (it waits at most 10 s); the call-backs run after the response.
      setImmediate(() => void checkPullRequest(payload).catch((error) => console.error('status call failed:', error)));
      return c.json({ message: 'checking', delivery_id: deliveryId }, 202);
    }
    if (event === 'push' && payload.ref === `refs/heads/${payload.repository?.default_branch}` && !payload.deleted) {
      const deployment: Deployment = {
        id: `dep_${randomUUID()}`, sha: payload.after, ref: payload.ref, commits: payload.commits?.length ?? 0,
        pusher: payload.pusher?.name ?? 'unknown', delivery_id: deliveryId, created_at: new Date().toISOString(),
      };
      deployments.push(deployment);
      return c.json(deployment, 201);
    }
    return c.body(null, 204); // an event we do not act on: acknowledged, nothing to say
  },
);
// #endregion receive

// #region status
async function checkPullRequest(payload: { repository: { full_name: string }; pull_request: { title: string; head: { sha: string } } }) {
  const { full_name: repo } = payload.repository;
  const { title, head } = payload.pull_request;
  await postStatus(repo, head.sha, 'pending', 'Checking the pull request title…');
  const ok = TITLE_RULE.test(title);
  await postStatus(repo, head.sha, ok ? 'success' : 'failure',
    ok ? 'The title follows Conventional Commits.' : 'The title must look like "feat: add search" (Conventional Commits).');
}

async function postStatus(repo: string, sha: string, state: 'pending' | 'success' | 'failure', description: string) {
  const res = await fetch(`${apiUrl}/repos/${repo}/statuses/${sha}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
      'user-agent': 'integration-lab-ci-bot',
    },
    body: JSON.stringify({ state, description, context: STATUS_CONTEXT }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`POST statuses answered ${res.status}: ${await res.text()}`);
}
// #endregion status

function fail(c: Context, status: 400 | 401 | 413, code: string, message: string) {
  return c.json({ error: { code, message, details: [], request_id: randomUUID(), timestamp: new Date().toISOString() } }, status);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (npm run lab -- start 04 sets it).`);
    process.exit(1);
  }
  return value;
}

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`CI bot listening on http://localhost:${info.port}`);
});
