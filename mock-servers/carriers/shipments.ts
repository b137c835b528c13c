import { createIdFactory } from '../shared/index.ts';

export type CarrierApi = 'dhl' | 'postal';
export const CARRIER_APIS: readonly CarrierApi[] = ['dhl', 'postal'];

/** What happened to a parcel, independent of how each carrier words it. */
export type Stage =
  | 'created'
  | 'picked-up'
  | 'in-transit'
  | 'arrived'
  | 'out-for-delivery'
  | 'delivered'
  | 'delivery-failed'
  | 'returned';

/** How a seeded shipment's story goes. */
export const SCENARIOS = ['delivered', 'in-progress', 'slow', 'failed', 'unknown'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Place {
  postcode: string;
  city: string;
  countryCode: string;
}

export interface PlannedEvent {
  /** Carrier-side id, stable across requests (what a client dedupes on). */
  id: string;
  stage: Stage;
  place: Place;
  /** When it happens, in world milliseconds after the shipment's clock starts (negative: before the mock started). */
  atWorldMs: number;
}

export interface Shipment {
  api: CarrierApi;
  trackingNumber: string;
  scenario: Scenario;
  service: string;
  origin: Place;
  destination: Place;
  plan: PlannedEvent[];
  /** World ms (on the mock clock) when the shipment was registered: 0 for seeded ones. */
  registeredAtWorldMs: number;
}

const HOUR = 3_600_000;

// Offsets of each stage in hours, relative to when the story starts. Negative hours: already history at start-up.
const STORIES: Record<Scenario, [Stage, number][]> = {
  delivered: [
    ['created', -52],
    ['picked-up', -48],
    ['in-transit', -30],
    ['arrived', -8],
    ['out-for-delivery', -4],
    ['delivered', -1],
  ],
  'in-progress': [
    ['created', 0],
    ['picked-up', 2],
    ['in-transit', 8],
    ['arrived', 20],
    ['out-for-delivery', 24],
    ['delivered', 27],
  ],
  slow: [
    ['created', -6],
    ['picked-up', 18],
    ['in-transit', 48],
    ['arrived', 96],
    ['out-for-delivery', 110],
    ['delivered', 114],
  ],
  failed: [
    ['created', -20],
    ['picked-up', -16],
    ['in-transit', 2],
    ['out-for-delivery', 10],
    ['delivery-failed', 14],
    ['returned', 40],
  ],
  unknown: [],
};

const DHL_PLACES: Place[] = [
  { postcode: '04109', city: 'Leipzig', countryCode: 'DE' },
  { postcode: '60549', city: 'Frankfurt am Main', countryCode: 'DE' },
  { postcode: '10115', city: 'Berlin', countryCode: 'DE' },
  { postcode: '1043', city: 'Amsterdam', countryCode: 'NL' },
  { postcode: '1930', city: 'Zaventem', countryCode: 'BE' },
  { postcode: '00-001', city: 'Warszawa', countryCode: 'PL' },
];
const POSTAL_PLACES: Place[] = [
  { postcode: '101000', city: 'Moscow', countryCode: 'RU' },
  { postcode: '190000', city: 'Saint Petersburg', countryCode: 'RU' },
  { postcode: '420000', city: 'Kazan', countryCode: 'RU' },
  { postcode: '620000', city: 'Yekaterinburg', countryCode: 'RU' },
  { postcode: '630000', city: 'Novosibirsk', countryCode: 'RU' },
  { postcode: '344000', city: 'Rostov-on-Don', countryCode: 'RU' },
];
const DHL_SERVICES = ['express', 'parcel-de', 'ecommerce'];

/** A deterministic source of choices: the same seed gives the same shipments run after run. */
export function createChooser(seed: string) {
  const ids = createIdFactory(seed);
  const unit = () => ids.bytes(4).readUInt32BE(0) / 2 ** 32;
  return {
    unit,
    int: (below: number) => Math.floor(unit() * below),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(unit() * items.length)]!;
    },
    digits(count: number): string {
      let out = '';
      for (let i = 0; i < count; i++) out += String(Math.floor(unit() * 10));
      return out;
    },
  };
}
export type Chooser = ReturnType<typeof createChooser>;

/** UPU S10 barcode (e.g. `RA123456785RU`): service letters, 8 digits, a mod-11 check digit, country. */
export function s10Barcode(serviceLetters: string, eightDigits: string, country = 'RU'): string {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...eightDigits].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  const check = 11 - (sum % 11);
  return `${serviceLetters}${eightDigits}${check === 10 ? 0 : check === 11 ? 5 : check}${country}`;
}

/** Builds one shipment whose story starts at `startWorldMs` on the mock clock. */
export function planShipment(
  api: CarrierApi,
  scenario: Scenario,
  choose: Chooser,
  startWorldMs = 0,
  trackingNumber?: string,
): Shipment {
  const places = api === 'dhl' ? DHL_PLACES : POSTAL_PLACES;
  const origin = choose.pick(places);
  const destination = choose.pick(places.filter((p) => p !== origin));
  const hub = choose.pick(places.filter((p) => p !== origin && p !== destination));
  const number =
    trackingNumber ??
    (api === 'dhl' ? choose.digits(10) : s10Barcode(choose.pick(['RA', 'RB', 'CP', 'EA']), choose.digits(8)));
  const placeOf = (stage: Stage): Place => {
    if (stage === 'created' || stage === 'picked-up') return origin;
    if (stage === 'in-transit') return hub;
    if (stage === 'returned') return origin;
    return destination;
  };
  const plan = STORIES[scenario].map(([stage, hours], index) => ({
    id: `${number}-${index + 1}`,
    stage,
    place: placeOf(stage),
    // Up to 40 minutes earlier, so seeded histories do not all tick on the hour (and a story starting "now" already
    // shows its first event).
    atWorldMs: startWorldMs + hours * HOUR - choose.int(40) * 60_000,
  }));
  return {
    api,
    trackingNumber: number,
    scenario,
    service: api === 'dhl' ? choose.pick(DHL_SERVICES) : 'postal',
    origin,
    destination,
    plan,
    registeredAtWorldMs: startWorldMs,
  };
}

/** One shipment of every scenario for each API, all from the seed. */
export function seedShipments(seed: string): Shipment[] {
  const choose = createChooser(`carriers:${seed}`);
  return CARRIER_APIS.flatMap((api) => SCENARIOS.map((scenario) => planShipment(api, scenario, choose)));
}

/**
 * The mock's clock. World time runs `1 / timeScale` times faster than real time, so with `timeScale: 0.0001` a day of
 * parcel history passes in under nine real seconds. An event's timestamp is the real moment it became visible, so
 * timestamps never lie in the future and never change between requests.
 */
export function createShipmentClock(timeScale: number, now: () => number = Date.now) {
  let startedAt = now();
  const worldElapsed = () => (timeScale === 0 ? Number.POSITIVE_INFINITY : (now() - startedAt) / timeScale);
  return {
    worldElapsed,
    realTimeOf: (atWorldMs: number) => new Date(startedAt + atWorldMs * timeScale),
    restart(): void {
      startedAt = now();
    },
    /** The events of a shipment that have happened by now, oldest first. */
    visibleEvents(shipment: Shipment): PlannedEvent[] {
      const elapsed = worldElapsed();
      return shipment.plan.filter((event) => event.atWorldMs <= elapsed);
    },
  };
}
export type ShipmentClock = ReturnType<typeof createShipmentClock>;
