import { afterAll, beforeAll, expect } from 'vitest';
import { graded, http, startLab, type LabRun } from '#testkit';

let run: LabRun;
beforeAll(async () => {
  run = await startLab();
});
afterAll(async () => {
  await run?.stop();
});

const hello = (name: string) => http(`${run.url}/hello?name=${encodeURIComponent(name)}`);

graded(
  'GET /hello greets a name with spaces and accents exactly as given',
  {
    rule: 'greeting',
    points: 1,
    hint: 'Use the decoded query value as it is: c.req.query("name") already turns %20 into a space and %C3%AB into ë.',
  },
  async () => {
    for (const name of ['Ada Lovelace', 'Zoë', "O'Brien"]) {
      const res = await hello(name);
      expect(res.status, res.said).toBe(200);
      expect(res.json, res.said).toEqual({ message: `Hello, ${name}!` });
    }
  },
);

graded(
  'GET /hello answers JSON (Content-Type: application/json), greetings and errors alike',
  {
    rule: 'json',
    points: 1,
    hint: 'Use c.json(…), not c.text(…), for every answer: clients rely on the Content-Type header to parse the body.',
  },
  async () => {
    // Greetings and refusals alike; a crash (5xx) is the business of the rule whose request crashed.
    const replies = [await hello('Grace'), await http(`${run.url}/hello`), await hello('')];
    const judged = replies.filter((res) => res.status < 500);
    expect(judged.length, `every /hello request crashed: ${replies.map((r) => r.said).join(' | ')}`).toBeGreaterThan(0);
    for (const res of judged) {
      expect(res.headers.get('content-type') ?? '(none)', `Content-Type of ${res.said}`).toMatch(/^application\/json/);
    }
  },
);

graded(
  'GET /hello refuses an empty or spaces-only name with 400',
  {
    rule: 'name-rules',
    points: 1,
    hint: 'c.req.query("name") is "" for ?name= — that is not a missing name. Trim before you check, so "   " is empty too.',
  },
  async () => {
    for (const name of ['', '   ']) {
      const res = await hello(name);
      expect(res.status, `name=${JSON.stringify(name)}: ${res.said}`).toBe(400);
    }
  },
);

graded(
  'GET /hello refuses a 41-character name with 400 and greets names of 1 and 40 characters',
  {
    rule: 'name-rules',
    points: 1,
    hint: 'Up to 40 characters is fine, 41 is too long: check the boundary with "> 40", and try both lengths yourself.',
  },
  async () => {
    const tooLong = await hello('x'.repeat(41));
    expect(tooLong.status, `41 characters: ${tooLong.said}`).toBe(400);
    for (const name of ['y'.repeat(40), 'Z']) {
      const res = await hello(name);
      expect(res.status, `${name.length} character(s): ${res.said}`).toBe(200);
    }
  },
);
