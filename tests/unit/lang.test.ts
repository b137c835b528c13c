// The student loop's language (cli/lang.ts): how it is chosen, kept and used — the harness's own sentences said again
// in Ukrainian, hints from hints.uk.json with a marked English fallback, and the student edition keeping hidden tests'
// hints out.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { explainFailure, harnessSentence } from '../../cli/harness/explain.ts';
import { studentHints } from '../../cli/harness/export.ts';
import { sandboxRefusal } from '../../cli/harness/target.ts';
import { chooseLang, explainMessages, localHint, parseLang, savedLang, saveLang } from '../../cli/lang.ts';

const work = mkdtempSync(join(tmpdir(), 'lang-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('choosing the language', () => {
  test('LAB_LANG wins over the saved setting and the locale', () => {
    expect(chooseLang({ LAB_LANG: 'uk', LANG: 'en_GB.UTF-8' }, 'en')).toEqual({ lang: 'uk', from: 'LAB_LANG' });
    expect(chooseLang({ LAB_LANG: 'en', LC_ALL: 'uk_UA.UTF-8' }, 'uk')).toEqual({ lang: 'en', from: 'LAB_LANG' });
  });

  test('a saved setting wins over the locale; an unknown LAB_LANG is ignored', () => {
    expect(chooseLang({ LANG: 'uk_UA.UTF-8' }, 'en')).toEqual({ lang: 'en', from: 'setting' });
    expect(chooseLang({ LAB_LANG: 'fr', LANG: 'en_US.UTF-8' }, 'uk')).toEqual({ lang: 'uk', from: 'setting' });
  });

  test('the locale: the first of LC_ALL, LC_MESSAGES and LANG that is set decides', () => {
    expect(chooseLang({ LANG: 'uk_UA.UTF-8' }, undefined)).toEqual({ lang: 'uk', from: 'locale' });
    expect(chooseLang({ LC_MESSAGES: 'uk_UA', LANG: 'en_US.UTF-8' }, undefined).lang).toBe('uk');
    expect(chooseLang({ LC_ALL: 'en_US.UTF-8', LC_MESSAGES: 'uk_UA', LANG: 'uk_UA' }, undefined).lang).toBe('en');
    expect(chooseLang({ LC_ALL: '', LANG: 'uk' }, undefined).lang).toBe('uk');
    expect(chooseLang({ LANG: 'C.UTF-8' }, undefined)).toEqual({ lang: 'en', from: 'locale' });
    expect(chooseLang({}, undefined)).toEqual({ lang: 'en', from: 'default' });
  });

  test('parseLang reads codes and locales, and nothing else', () => {
    expect(parseLang('UK')).toBe('uk');
    expect(parseLang('uk_UA.UTF-8')).toBe('uk');
    expect(parseLang('en-GB')).toBe('en');
    expect(parseLang('ukrainian-ish')).toBe('uk');
    expect(parseLang('de')).toBeUndefined();
    expect(parseLang(undefined)).toBeUndefined();
  });

  test('lab lang saves the choice beside other settings, and auto forgets it', () => {
    const file = join(work, 'settings.json');
    expect(savedLang(file)).toBeUndefined();
    writeFileSync(file, '{"other":1}');
    saveLang('uk', file);
    expect(savedLang(file)).toBe('uk');
    saveLang(undefined, file);
    expect(savedLang(file)).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ other: 1 });
    writeFileSync(file, 'not json');
    expect(savedLang(file)).toBeUndefined();
  });
});

describe("the harness's sentences in Ukrainian", () => {
  const en = explainMessages('en');
  const uk = explainMessages('uk');
  const output = '\n  | Error: boom';

  test('every failed start that target.ts words is said again, with what it names', () => {
    const cases: [string, string][] = [
      [en.beforeReady(en.exited('1')), 'застосунок завершився з кодом 1, перш ніж став готовим.'],
      [en.beforeReady(en.killed('SIGKILL')), 'застосунок зупинено сигналом SIGKILL, перш ніж став готовим.'],
      [en.notPrinted('ready', 10), 'застосунок не вивів "ready" за 10 с.'],
      [
        en.notAnswered('/health', 4100, 10) + en.wrongPort('3000'),
        'застосунок не відповів на GET /health кодом 2xx на порту 4100 за 10 с. Натомість він слухає порт 3000: читайте порт зі змінної середовища PORT.',
      ],
      [en.outputLimit(1024), 'застосунок вивів понад 1024 байтів, перш ніж став готовим, тому його зупинили'],
      [en.entryMissing('main.ts', '/tmp/x/main.ts'), 'немає файлу входу main.ts (шукали /tmp/x/main.ts)'],
      [en.notRunning(en.exitedWith('137')), 'застосунок не працює (він завершився з кодом 137).'],
      [en.notRunning(en.stoppedBy('SIGTERM')), 'застосунок не працює (його зупинено сигналом SIGTERM).'],
    ];
    for (const [english, ukrainian] of cases) {
      expect(harnessSentence(`${english} Its last output:${output}`, uk)).toBe(ukrainian);
    }
  });

  test("the sandbox's refusal keeps the permission and the path", () => {
    const refusal = sandboxRefusal(
      "Error: Access to this API has been restricted\n  code: 'ERR_ACCESS_DENIED',\n  permission: 'FileSystemWrite',\n  resource: '/etc/x'",
    );
    const sentence = harnessSentence(`${en.beforeReady(en.exited('1'))}${refusal} Its last output:${output}`, uk)!;
    expect(sentence).toMatch(/^застосунок завершився з кодом 1, перш ніж став готовим\. Пісочниця оцінювання/);
    expect(sentence).toContain('заборонила застосунку доступ FileSystemWrite до /etc/x (ERR_ACCESS_DENIED)');
    expect(harnessSentence(`${en.beforeReady(en.exited('1'))}${sandboxRefusal('ERR_ACCESS_DENIED')}`, uk)).toContain(
      'заборонила застосунку дію (ERR_ACCESS_DENIED)',
    );
  });

  test('a failed test in a Ukrainian run; the same failure in English is unchanged', () => {
    const errors = [{ message: 'expected 404 to be 200 // Object.is equality', actual: '404', expected: '200' }];
    const exchanges = [{ method: 'GET', path: '/hello', status: 404, body: '404 Not Found' }];
    expect(explainFailure(errors, exchanges, 'uk')).toBe(
      'GET /hello повернув код відповіді 404, а очікували 200\nвідповідь: 404 Not Found',
    );
    expect(explainFailure(errors, exchanges)).toBe('GET /hello answered 404, expected 200\nit answered: 404 Not Found');
    expect(explainFailure([{ message: 'Test timed out in 1500ms.' }, errors[0]!], [], 'uk')).toBe(
      'тест не завершився за 1,5 с (і ще 1 невдала перевірка)',
    );
    expect(explainFailure([{ message: 'expected [ 1, 2 ] to have a length of 5 but got 2' }], [], 'uk')).toBe(
      'отримали 2 елементи, а очікували 5',
    );
  });
});

describe('hints', () => {
  const labDir = join(work, 'lab');
  rmSync(labDir, { recursive: true, force: true });
  mkdirSync(labDir);
  writeFileSync(
    join(labDir, 'hints.uk.json'),
    JSON.stringify({ 'public/a.test.ts': { 'a passes': 'зробіть так, щоб a проходив' } }),
  );

  test('Ukrainian from hints.uk.json; English marked when one is missing; English untouched', () => {
    expect(localHint(labDir, { name: 'a passes', hint: 'make a pass' }, 'uk')).toBe('зробіть так, щоб a проходив');
    expect(localHint(labDir, { name: 'b passes', hint: 'make b pass' }, 'uk')).toBe('(ще не перекладено) make b pass');
    expect(localHint(labDir, { name: 'a passes', hint: 'make a pass' }, 'en')).toBe('make a pass');
    expect(localHint(join(work, 'no-lab'), { name: 'a passes', hint: 'make a pass' }, 'uk')).toBe(
      '(ще не перекладено) make a pass',
    );
    expect(localHint(labDir, { name: 'c passes' }, 'uk')).toBeUndefined();
  });

  test("the student edition's hints file has no entry of a hidden test", () => {
    const text = JSON.stringify({ 'public/a.test.ts': { a: 'а' }, 'hidden/b.test.ts': { b: 'б' } });
    expect(JSON.parse(studentHints('labs/00-warmup/hints.uk.json', text))).toEqual({ 'public/a.test.ts': { a: 'а' } });
  });
});
