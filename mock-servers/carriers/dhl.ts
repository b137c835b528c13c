import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { limitBody, safeEqual } from '../shared/index.ts';
import type { RateLimiter } from './faults.ts';
import type { Place, PlannedEvent, Shipment, ShipmentClock, Stage } from './shipments.ts';

/** DHL's Shipment Tracking API groups every event into one of these. */
export type DhlStatusCode = 'pre-transit' | 'transit' | 'delivered' | 'failure' | 'unknown';

const WORDING: Record<Stage, { statusCode: DhlStatusCode; status: string; description: string }> = {
  created: {
    statusCode: 'pre-transit',
    status: 'SHIPMENT INFORMATION RECEIVED',
    description: 'The sender announced the shipment electronically.',
  },
  'picked-up': {
    statusCode: 'transit',
    status: 'PICKED UP',
    description: 'The shipment was picked up from the sender.',
  },
  'in-transit': {
    statusCode: 'transit',
    status: 'PROCESSED',
    description: 'The shipment was processed at a sorting hub.',
  },
  arrived: { statusCode: 'transit', status: 'ARRIVED', description: 'The shipment arrived at the delivery facility.' },
  'out-for-delivery': {
    statusCode: 'transit',
    status: 'OUT FOR DELIVERY',
    description: 'The courier is on the way to the recipient.',
  },
  delivered: { statusCode: 'delivered', status: 'DELIVERED', description: 'Delivered. Signed for by the recipient.' },
  'delivery-failed': {
    statusCode: 'failure',
    status: 'DELIVERY FAILED',
    description: 'Delivery attempt failed: the recipient was not available.',
  },
  returned: {
    statusCode: 'failure',
    status: 'RETURNED TO SENDER',
    description: 'The shipment was returned to the sender.',
  },
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An RFC 9457 problem, the shape DHL's APIs answer errors in. */
export function dhlProblem(c: Context, status: ContentfulStatusCode, detail: string): Response {
  const url = new URL(c.req.url);
  const body = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: url.pathname + url.search,
  };
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' });
}

const address = (p: Place) => ({
  address: { countryCode: p.countryCode, postalCode: p.postcode, addressLocality: `${p.city}, ${p.countryCode}` },
});

export function dhlShipmentView(shipment: Shipment, clock: ShipmentClock) {
  const events = clock
    .visibleEvents(shipment)
    .map((e: PlannedEvent) => ({
      timestamp: clock.realTimeOf(e.atWorldMs).toISOString(),
      location: address(e.place),
      ...WORDING[e.stage],
    }))
    .reverse(); // newest first, as DHL lists them
  const status = events[0] ?? {
    timestamp: clock.realTimeOf(shipment.registeredAtWorldMs).toISOString(),
    statusCode: 'unknown' as const,
    status: 'UNKNOWN',
    description: 'The carrier has no events for this shipment yet.',
  };
  return {
    id: shipment.trackingNumber,
    service: shipment.service,
    origin: address(shipment.origin),
    destination: address(shipment.destination),
    status,
    events,
  };
}

export interface DhlDeps {
  apiKeys: () => readonly string[];
  limiter: RateLimiter;
  find: (trackingNumber: string) => Shipment | undefined;
  clock: ShipmentClock;
}

/**
 * `GET /track/shipments?trackingNumber=…`: DHL's unified tracking API, keyed by the `DHL-API-Key` header. Mounted at
 * `/track` (`app.route('/track', dhlRoutes(deps))`), after the fault injection that applies to it.
 */
export function dhlRoutes(deps: DhlDeps): Hono {
  const app = new Hono();
  app.use(
    '*',
    limitBody(8 * 1024, (c) => dhlProblem(c, 413, 'The request body is too large.')),
  );
  app.get('/shipments', (c) => {
    const key = c.req.header('DHL-API-Key');
    if (!key) return dhlProblem(c, 401, 'The DHL-API-Key header is missing.');
    if (!deps.apiKeys().some((k) => safeEqual(k, key))) return dhlProblem(c, 401, 'Invalid API key.');

    const quota = deps.limiter.take(key);
    c.header('RateLimit-Limit', String(quota.limit));
    c.header('RateLimit-Remaining', String(quota.remaining));
    c.header('RateLimit-Reset', String(Math.ceil(quota.resetInMs / 1000)));
    if (!quota.allowed) {
      c.header('Retry-After', String(Math.max(1, Math.ceil(quota.resetInMs / 1000))));
      return dhlProblem(c, 429, `Rate limit of ${quota.limit} requests exceeded for this API key; retry later.`);
    }

    const numbers = c.req.queries('trackingNumber') ?? [];
    if (numbers.length === 0 || numbers[0]!.trim() === '') {
      return dhlProblem(c, 400, 'The query parameter trackingNumber is required.');
    }
    if (numbers.length > 1) return dhlProblem(c, 400, 'Give one trackingNumber per request.');
    const trackingNumber = numbers[0]!.trim();
    if (!/^[A-Za-z0-9-]{4,40}$/.test(trackingNumber)) {
      return dhlProblem(c, 400, 'trackingNumber may hold only letters, digits and dashes (4 to 40).');
    }
    const service = c.req.query('service');
    const shipment = deps.find(trackingNumber);
    if (!shipment || (service !== undefined && service !== shipment.service)) {
      return dhlProblem(c, 404, 'No shipment with the given tracking number was found.');
    }
    return c.json({ shipments: [dhlShipmentView(shipment, deps.clock)] });
  });
  app.all('/shipments', (c) => {
    c.header('Allow', 'GET');
    return dhlProblem(c, 405, 'Use GET to track shipments.');
  });
  return app;
}
