// Lab 01 — the shop's order service. Read labs/01-rest-api/README.md, then run: npm run lab -- check 01
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createRepository } from './repository.ts';

const repo = createRepository();
const app = new Hono();

// Done for you: the harness calls this to know your app is up.
app.get('/health', (c) => c.json({ status: 'ok' }));

// Done for you: the error envelope every error of this API uses (see the README).
function sendError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: { field: string; message: string }[] = [],
): Response {
  return c.json(
    { error: { code, message, details, request_id: `req_${randomUUID()}`, timestamp: new Date().toISOString() } },
    status,
  );
}

// TODO 1: customers. POST /v1/customers creates one (201, Location: /v1/customers/<id>, the customer as JSON);
//         GET /v1/customers/:id reads one, or answers 404 with sendError(…). Unknown routes: 404 envelope too
//         (app.notFound).
// TODO 2: bad input. 415 when Content-Type is not application/json, 400 for JSON that does not parse, 400 listing
//         EVERY invalid field in details, 409 when the e-mail is taken (ignore upper/lower case).
// TODO 3: orders. POST /v1/customers/:id/orders (201, Location: /v1/orders/<id>, status "pending", note null) and
//         GET /v1/orders/:id.
// TODO 4: PUT replaces a whole order or customer, PATCH changes only the fields sent; DELETE answers 204, and a
//         second DELETE 404 (the resource is gone either way). DELETE of a customer removes their orders.
// TODO 5: lists. GET /v1/customers and GET /v1/customers/:id/orders answer { data, pagination: { page, per_page,
//         total, total_pages } }; orders filter by status and created_after, both sort by created_at or
//         -created_at; a bad query value is a 400 naming the parameter.
// TODO 6: ETag on every single resource; If-None-Match that matches → 304; a stale If-Match on PUT/PATCH/DELETE → 412.
// TODO 7: a known path with a method it does not support → 405 with an Allow header.
// TODO 8: Idempotency-Key on POST /v1/customers/:id/orders: a retry gets the first response again; the same key with
//         another body gets 422.
// TODO 9: the menu. GET /openapi.json answers an OpenAPI 3.1 document (c.json(…)) describing every route above:
//         its parameters, request bodies and each status with the schema of its body (components/schemas + $ref).

// Keep this: the port comes from the PORT environment variable.
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`order service listening on http://localhost:${info.port}`);
});
