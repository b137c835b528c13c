import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';
import { createCustomer, createOrder, expectInvalid, expectStatus, idsOf, type Reply } from '../api.ts';

// The lists, on an app of their own: what other tests create never lands in these lists by surprise.
let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

const list = (path: string) => http(`${run.url}${path}`);

/**
 * True when the unfiltered list counts the items (`total`) but its first page shows none of them: the app's paging is
 * off (a rule of its own), so what filters and sorting do cannot be seen, and is not judged.
 */
async function pagingHidesItems(path: string, count: number): Promise<boolean> {
  const res = await list(`${path}?per_page=100`);
  return res.json?.pagination?.total === count && idsOf(res).length === 0;
}
const stamps = (res: Reply): number[] => (Array.isArray(res.json?.data) ? res.json.data.map((x: { created_at: string }) => Date.parse(x.created_at)) : []);
const sorted = (xs: number[], direction: 1 | -1) => xs.every((x, i) => i === 0 || direction * (x - xs[i - 1]!) >= 0);

graded('GET /v1/customers pages like the orders list: data, pagination and every customer exactly once', {
  rule: 'pagination',
  points: 1,
  hint: 'GET /v1/customers answers { data, pagination } with the same page and per_page rules as a customer\'s orders.',
}, async () => {
  const mine = [await createCustomer(run.url), await createCustomer(run.url), await createCustomer(run.url)].map((c) => c.id);
  const first = await list('/v1/customers?per_page=2');
  expectStatus(first, 200);
  const total = first.json?.pagination?.total;
  expect(Number.isInteger(total) && total >= 3, `pagination.total counts the customers (at least the 3 just created): ${first.said}`).toBe(true);
  const pages = Math.ceil(total / 2);
  const seen: string[] = [];
  for (let page = 1; page <= pages; page++) {
    const res = await list(`/v1/customers?per_page=2&page=${page}`);
    expect(res.json?.pagination, `pagination of page ${page}: ${res.said}`).toEqual({ page, per_page: 2, total, total_pages: pages });
    expect(idsOf(res).length, `customers on page ${page} of ${total} at 2 per page: ${res.said}`).toBe(Math.min(2, total - (page - 1) * 2));
    seen.push(...idsOf(res));
  }
  expect(new Set(seen).size, 'no customer is on two pages').toBe(total);
  for (const id of mine) expect(seen, 'every new customer is on some page').toContain(id);
  const past = await list(`/v1/customers?per_page=2&page=${pages + 1}`);
  expect(past.json?.data, `a page past the end has no data: ${past.said}`).toEqual([]);
});

graded('Lists filter by status and created_after (strictly later), and total counts the filtered list', {
  rule: 'filters',
  points: 2,
  hint: 'Keep only orders whose status equals ?status= and items created strictly after ?created_after= (compare as dates, on both lists); total counts what is left.',
}, async () => {
  const customer = await createCustomer(run.url);
  const a = await createOrder(run.url, customer.id, { total_cents: 100, currency: 'eur' });
  const b = await createOrder(run.url, customer.id, { total_cents: 200, currency: 'eur', status: 'paid' });
  const c = await createOrder(run.url, customer.id, { total_cents: 300, currency: 'eur', status: 'paid' });
  if (await pagingHidesItems(`/v1/customers/${customer.id}/orders`, 3)) return;
  const base = `/v1/customers/${customer.id}/orders?per_page=100`;
  const cases: [string, string[]][] = [
    ['status=paid', [b.id, c.id]],
    ['status=pending', [a.id]],
    [`created_after=${encodeURIComponent(b.created_at)}`, [c.id]],
    [`status=paid&created_after=${encodeURIComponent(a.created_at)}`, [b.id, c.id]],
  ];
  for (const [query, expected] of cases) {
    const res = await list(`${base}&${query}`);
    expectStatus(res, 200, `?${query}`);
    expect(idsOf(res).sort(), `?${query} keeps ${expected.length} of the 3 orders: ${res.said}`).toEqual([...expected].sort());
    expect(res.json?.pagination?.total, `?${query}: total counts the filtered list`).toBe(expected.length);
  }
  // Filtered before the page is cut: one pending order among three still fills a page of one.
  const onePerPage = await list(`/v1/customers/${customer.id}/orders?status=pending&per_page=1`);
  expect(idsOf(onePerPage), `?status=pending&per_page=1 holds the one pending order: ${onePerPage.said}`).toEqual([a.id]);
  const people = [await createCustomer(run.url), await createCustomer(run.url), await createCustomer(run.url)];
  const since = people[0]!.created_at as string;
  const later = await list(`/v1/customers?per_page=100&created_after=${encodeURIComponent(since)}`);
  expectStatus(later, 200, 'GET /v1/customers?created_after=');
  expect(idsOf(later), `customers created after the first of three: ${later.said}`).toEqual(expect.arrayContaining([people[1]!.id, people[2]!.id]));
  expect(idsOf(later), 'strictly after: not the first one itself').not.toContain(people[0]!.id);
  expect(stamps(later).every((t) => t > Date.parse(since)), `every customer listed was created after ${since}`).toBe(true);
  expect(later.json?.pagination?.total, 'total counts the filtered customers').toBe(idsOf(later).length);
});

graded('Lists sort by created_at both ways, newest first by default, before the page is cut', {
  rule: 'sorting',
  points: 2,
  hint: 'sort=created_at is oldest first, sort=-created_at (and no sort at all) newest first; sort the whole filtered list, then cut the page out of it.',
}, async () => {
  const customer = await createCustomer(run.url);
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) ids.push((await createOrder(run.url, customer.id, { total_cents: i, currency: 'eur' })).id);
  const base = `/v1/customers/${customer.id}/orders`;
  if (await pagingHidesItems(base, 5)) return;
  const oldest = await list(`${base}?sort=created_at&per_page=100`);
  expect(idsOf(oldest), `sort=created_at is oldest first: ${oldest.said}`).toEqual(ids);
  const newest = await list(`${base}?sort=-created_at&per_page=100`);
  expect(idsOf(newest), `sort=-created_at is newest first: ${newest.said}`).toEqual([...ids].reverse());
  const byDefault = await list(`${base}?per_page=100`);
  expect(idsOf(byDefault), `no sort means newest first: ${byDefault.said}`).toEqual([...ids].reverse());
  // Sorted before the cut: everything on page 1 comes before everything on page 2 (pages that overlap or are empty
  // say something about paging, which is another rule).
  for (const [sort, direction] of [['created_at', 1], ['-created_at', -1]] as const) {
    const [p1, p2] = [await list(`${base}?sort=${sort}&per_page=2&page=1`), await list(`${base}?sort=${sort}&per_page=2&page=2`)];
    const [s1, s2] = [stamps(p1), stamps(p2)];
    if (s1.length && s2.length && !idsOf(p1).some((id) => idsOf(p2).includes(id))) {
      expect(sorted([...s1, ...s2], direction), `sort=${sort}: page 2 continues page 1 (${p1.said} | ${p2.said})`).toBe(true);
    }
  }
  await createCustomer(run.url);
  for (const [query, direction] of [['sort=created_at', 1], ['sort=-created_at', -1], ['', -1]] as const) {
    const res = await list(`/v1/customers?per_page=100&${query}`);
    expect(sorted(stamps(res), direction), `GET /v1/customers?${query} is ${direction === 1 ? 'oldest' : 'newest'} first: ${res.said}`).toBe(true);
  }
});

graded('Bad query values (page, per_page, status, created_after, sort) answer 400 naming each bad parameter', {
  rule: 'bad-query',
  points: 2,
  hint: 'Validate the query string like a body, on both lists: page ≥ 1, per_page 1–100, a known status, an ISO 8601 created_after, sort created_at or -created_at. Name each bad one in details.',
}, async () => {
  const customer = await createCustomer(run.url);
  const base = `/v1/customers/${customer.id}/orders`;
  const cases: [string, string][] = [
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['per_page=0', 'per_page'],
    ['per_page=101', 'per_page'],
    ['per_page=1000', 'per_page'],
    ['status=payed', 'status'],
    ['created_after=yesterday', 'created_after'],
    ['sort=password', 'sort'],
  ];
  for (const [query, field] of cases) expectInvalid(await list(`${base}?${query}`), [field], `?${query}`);
  expectInvalid(await list(`${base}?page=-1&per_page=x&sort=name`), ['page', 'per_page', 'sort'], 'three bad parameters');
  expectStatus(await list(`${base}?per_page=100&page=1`), 200, 'per_page=100 is the largest page');
  for (const [query, field] of [['page=0', 'page'], ['per_page=1000', 'per_page'], ['sort=name', 'sort'], ['created_after=yesterday', 'created_after']]) {
    expectInvalid(await list(`/v1/customers?${query}`), [field!], `GET /v1/customers?${query}`);
  }
});
