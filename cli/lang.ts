// The language of what a student reads in the loop (`lab check`, `lab start`, `lab list`, `lab hint`): the choice and
// every sentence, English and Ukrainian. A typed object per language rather than an i18n library: a few dozen
// sentences, most of them functions of numbers and names; TypeScript makes the Ukrainian table name every English
// entry, and Intl.PluralRules (built into Node) picks the Ukrainian plural form. Instructor commands (grade, prove,
// export, gradebook) and test names stay English; the words follow uk/lessons/glossary.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './paths.ts';

export type Lang = 'en' | 'uk';
export const LANGS: readonly Lang[] = ['en', 'uk'];

/** A language's code from a value such as "uk", "UK", "uk_UA.UTF-8" or "en-GB"; undefined for any other. */
export function parseLang(value: string | undefined): Lang | undefined {
  const code = value?.trim().toLowerCase().slice(0, 2);
  return LANGS.find((l) => l === code);
}

export interface LangChoice {
  lang: Lang;
  /** What decided it, for `lab lang`. */
  from: 'LAB_LANG' | 'setting' | 'locale' | 'default';
}

/**
 * The language: LAB_LANG when it names one (a one-off, `LAB_LANG=uk npm run lab -- check 01`), else the setting
 * `lab lang uk|en` saved, else the locale (the first of LC_ALL, LC_MESSAGES, LANG that is set: uk… is Ukrainian, any
 * other English), else English.
 */
export function chooseLang(env: NodeJS.ProcessEnv = process.env, saved = savedLang()): LangChoice {
  const asked = parseLang(env.LAB_LANG);
  if (asked) return { lang: asked, from: 'LAB_LANG' };
  if (saved) return { lang: saved, from: 'setting' };
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v?.trim());
  if (locale) return { lang: locale.trim().toLowerCase().startsWith('uk') ? 'uk' : 'en', from: 'locale' };
  return { lang: 'en', from: 'default' };
}

/** Kept next to the progress `lab check` records (.cache/, git-ignored in the student's clone). */
export const settingsFile = join(repoRoot, '.cache', 'settings.json');

export function savedLang(file = settingsFile): Lang | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parseLang((JSON.parse(readFileSync(file, 'utf8')) as { lang?: string }).lang);
  } catch {
    return undefined;
  }
}

/** Save the student's language, or forget it (undefined: the locale decides again). */
export function saveLang(lang: Lang | undefined, file = settingsFile): void {
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    /* none yet, or unreadable: start again */
  }
  if (lang) settings.lang = lang;
  else delete settings.lang;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

/** The Ukrainian form of a count: one (1, 21), few (2–4, 22–24) or many (0, 5–20, 11–14). */
const ukPlural = new Intl.PluralRules('uk');
const uk = (n: number, one: string, few: string, many: string) => {
  const form = ukPlural.select(n);
  return `${n} ${form === 'one' ? one : form === 'few' ? few : many}`;
};
const en = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const english = {
  error: 'error:',
  // lab check
  checkHeading: (target: string) => `(public tests against ${target})`,
  hint: 'hint:',
  /** Before an English hint shown in another language because it has no translation yet. */
  untranslatedHint: '',
  score: (score: number, max: number, pct: number) => `${score}/${max} public points (${pct} %)`,
  scoreLabel: 'Score:',
  nextLabel: 'Next:',
  next: (test: string, file: string) => `make "${test}" pass — read its hint above, edit ${file}, run the check again.`,
  allPass: 'All public tests pass.',
  hiddenTests: "Your instructor's grading adds hidden tests: think about edge cases and bad input.",
  notRecorded: (lab: string) =>
    `(Not recorded as your progress on lab ${lab}: that follows checks of its starter/ folder.)`,
  watching: (dir: string) => `Watching ${dir} — save a file to check again, Ctrl-C to stop.`,
  watchingAgain: 'Watching — Ctrl-C to stop.',
  wholeMessage: 'the whole message:',
  lastOutput: 'its last output:',
  // lab list and lab hint
  listHead: ['lab', 'title', 'needs', 'last check'],
  notChecked: 'not checked yet',
  listFooter: 'Check a lab with: npm run lab -- check NN',
  noCheckYet: (lab: string, command: string) => `No check of lab ${lab} yet. Run: ${command}`,
  taskIn: (readme: string) => `The task and its hints are in ${readme}.`,
  allPassedLast: (score: number, max: number) => [`Every public test passed`, ` in your last check (${score}/${max}).`],
  noHint: '(no hint)',
  // lab lang
  langIs: (lang: Lang, from: LangChoice['from']) =>
    `Language: ${lang === 'uk' ? 'Ukrainian' : 'English'} (${
      {
        LAB_LANG: 'from LAB_LANG',
        setting: 'saved with lab lang',
        locale: 'from your locale (LC_ALL, LC_MESSAGES or LANG)',
        default: 'the default',
      }[from]
    }).`,
  langSaved: (lang: Lang) => `${lang === 'uk' ? 'Ukrainian' : 'English'} from now on (saved in .cache/settings.json).`,
  langForgotten: 'No language saved: LAB_LANG or your locale decides.',
  langOverride: 'LAB_LANG is set in this shell and wins over the saved setting.',
  badLang: (value: string) => `choose one of ${LANGS.join(', ')} or auto, not "${value}"`,
  // bad input
  unknownLab: (ref: string, known: string) => `no lab "${ref}". Labs:\n${known || '  (none yet)'}`,
  noFolder: (dir: string, given?: string) => `there is no folder ${dir}${given ? ` (from --dir ${given})` : ''}`,
  noEntry: (dir: string, entry: string, lab: string) =>
    `${dir} has no ${entry}: lab ${lab} starts the app from that file`,
  needsService: (lab: string, service: string, why: string) => `lab ${lab} needs ${service}: ${why}`,
  // lab start
  suiteNotStarted: (lab: string, entry: string) =>
    `lab ${lab} has no app to start: its work is a test suite. Run it with: node ${entry} (in your starter folder), or grade it with: npm run lab -- check ${lab.slice(0, 2)}`,
  portTaken: (port: number) =>
    `port ${port} is taken by another program (an earlier lab start, or another server): stop it, or pick another port with --port ${port + 1}`,
  mockFailed: (mock: string, why: string) => `could not start the ${mock} mock: ${why}`,
  mockReused: (mock: string, url: string) => `using the ${mock} mock that already runs at ${url}`,
  mockMoved: (port: number, mock: string) =>
    `port ${port} is taken by a program whose control token was not recorded here: the ${mock} mock runs on a free port instead`,
  chatterHidden:
    '(Kafka client chatter that needs no action is hidden: rebalances, retried broker answers; --verbose shows it)',
  appLine: (dir: string, pid: number | undefined) => `(${dir}; pid ${pid}: kill -9 ${pid} crashes it)`,
  appLabel: 'app:',
  stopHint: (lab: string) => `Ctrl-C stops everything. In another terminal: npm run lab -- check ${lab}`,
  runsAgain: (url: string) => `the app runs again at ${url}`,
  notAgain: (why: string) => `The app did not start again: ${why}`,
  fixAndEnter: 'Fix it and press Enter to try again, or Ctrl-C to stop everything.',
  stoppedNoKeyboard: (how: string) => `The app stopped (${how}). Fix it and run lab start again.`,
  stopped: (how: string) => `The app stopped (${how}). The mocks and brokers keep running.`,
  pressEnter: 'Press Enter to start the app again (same port, same mocks), or Ctrl-C to stop everything.',
  exitCode: (code: number | null | undefined) => `exit code ${code}`,
  // runner problems and outcomes a student may read
  tooLarge: (mb: number) => `the submission is larger than ${mb} MB (without node_modules); it was not run`,
  runTimeLimit: (s: number) => `the run hit its time limit of ${s} s and was stopped`,
  notFinished: 'not finished: the run hit its time limit',
  didNotRun: 'the test did not run',
  noResults: 'no test results (the test run failed to start):',
};

export type Messages = typeof english;

const ukrainian: Messages = {
  error: 'помилка:',
  checkHeading: (target) => `(відкриті тести на ${target})`,
  hint: 'підказка:',
  untranslatedHint: '(ще не перекладено) ',
  score: (score, max, pct) => `${score}/${max} балів за відкриті тести (${pct} %)`,
  scoreLabel: 'Результат:',
  nextLabel: 'Далі:',
  next: (test, file) =>
    `доможіться, щоб тест "${test}" проходив: прочитайте його підказку вище, змініть ${file} і запустіть перевірку знову.`,
  allPass: 'Усі відкриті тести проходять.',
  hiddenTests:
    'Під час оцінювання викладач додасть приховані тести: подумайте про граничні випадки й некоректні вхідні дані.',
  notRecorded: (lab) =>
    `(Не записано як ваш поступ у лабораторній ${lab}: поступ рахують лише перевірки її теки starter/.)`,
  watching: (dir) => `Стежу за ${dir}: збережіть файл, щоб перевірити знову; Ctrl-C зупиняє.`,
  watchingAgain: 'Стежу далі; Ctrl-C зупиняє.',
  wholeMessage: 'повне повідомлення:',
  lastOutput: 'останній вивід застосунку:',
  listHead: ['лабораторна', 'назва', 'потрібно', 'остання перевірка'],
  notChecked: 'ще не перевірено',
  listFooter: 'Перевірити лабораторну: npm run lab -- check NN',
  noCheckYet: (lab, command) => `Лабораторну ${lab} ще не перевіряли. Запустіть: ${command}`,
  taskIn: (readme) => `Завдання та підказки до нього є в ${readme}.`,
  allPassedLast: (score, max) => ['Усі відкриті тести пройшли', ` під час останньої перевірки (${score}/${max}).`],
  noHint: '(підказки немає)',
  langIs: (lang, from) =>
    `Мова: ${lang === 'uk' ? 'українська' : 'англійська'} (${
      {
        LAB_LANG: 'із LAB_LANG',
        setting: 'збережена командою lab lang',
        locale: 'з вашої локалі: LC_ALL, LC_MESSAGES або LANG',
        default: 'типова',
      }[from]
    }).`,
  langSaved: (lang) => `Відтепер ${lang === 'uk' ? 'українською' : 'англійською'} (збережено в .cache/settings.json).`,
  langForgotten: 'Мову не збережено: її визначає LAB_LANG або ваша локаль.',
  langOverride: 'У цій оболонці задано LAB_LANG, і вона важить більше за збережене налаштування.',
  badLang: (value) => `оберіть одне з ${LANGS.join(', ')} або auto, а не "${value}"`,
  unknownLab: (ref, known) => `немає лабораторної "${ref}". Лабораторні:\n${known || '  (ще жодної)'}`,
  noFolder: (dir, given) => `немає теки ${dir}${given ? ` (із --dir ${given})` : ''}`,
  noEntry: (dir, entry, lab) => `у ${dir} немає ${entry}: лабораторна ${lab} запускає застосунок із цього файлу`,
  needsService: (lab, service, why) => `лабораторній ${lab} потрібен ${service}: ${why}`,
  suiteNotStarted: (lab, entry) =>
    `лабораторна ${lab} не має застосунку для запуску: її робота — набір тестів. Запустіть його: node ${entry} (у теці starter), або перевірте: npm run lab -- check ${lab.slice(0, 2)}`,
  portTaken: (port) =>
    `порт ${port} зайняла інша програма (попередній lab start або інший сервер): зупиніть її або оберіть інший порт: --port ${port + 1}`,
  mockFailed: (mock, why) => `не вдалося запустити mock ${mock}: ${why}`,
  mockReused: (mock, url) => `використовую mock ${mock}, що вже працює на ${url}`,
  mockMoved: (port, mock) =>
    `порт ${port} зайняла програма, чий контрольний токен тут не записано: mock ${mock} працюватиме на вільному порту`,
  chatterHidden:
    '(Службові повідомлення клієнта Kafka, що не потребують дій, приховано: перебалансування, повторені відповіді брокера; --verbose їх показує)',
  appLine: (dir, pid) => `(${dir}; pid ${pid}: kill -9 ${pid} аварійно зупиняє його)`,
  appLabel: 'застосунок:',
  stopHint: (lab) => `Ctrl-C зупиняє все. В іншому терміналі: npm run lab -- check ${lab}`,
  runsAgain: (url) => `застосунок знову працює на ${url}`,
  notAgain: (why) => `Застосунок не запустився знову: ${why}`,
  fixAndEnter: 'Виправте це й натисніть Enter, щоб спробувати знову, або Ctrl-C, щоб зупинити все.',
  stoppedNoKeyboard: (how) => `Застосунок зупинився (${how}). Виправте помилку й знову запустіть lab start.`,
  stopped: (how) => `Застосунок зупинився (${how}). Mock servers і брокери працюють далі.`,
  pressEnter:
    'Натисніть Enter, щоб знову запустити застосунок (той самий порт, ті самі mock servers), або Ctrl-C, щоб зупинити все.',
  exitCode: (code) => `код завершення ${code}`,
  tooLarge: (mb) => `розв'язок більший за ${mb} МБ (без node_modules); його не запускали`,
  runTimeLimit: (s) => `запуск вичерпав свій ліміт часу ${s} с і його зупинили`,
  notFinished: 'не завершено: запуск вичерпав свій ліміт часу',
  didNotRun: 'тест не запускався',
  noResults: 'немає результатів тестів (тести не вдалося запустити):',
};

/** Sentences that explain a failed test (explain.ts) and a failed app start (target.ts), in each language. */
const explainEnglish = {
  seconds: (ms: number) => (ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`),
  andMore: (n: number) => `(and ${n} more failed check${n === 1 ? '' : 's'})`,
  timedOut: (test: boolean, time: string) =>
    `${test ? 'the test' : 'the setup (starting the app, or a hook)'} did not finish within ${time}`,
  lastFailed: (request: string, why: string) => `; its last request, ${request}, failed: ${why}`,
  lastWaiting: (request: string) => `; it was still waiting for ${request} to answer`,
  lastAnswered: (request: string, status: number) => `; its last request, ${request}, answered ${status}`,
  waited: (time: string, what: string, seen: string) => `waited ${time} for ${what}, but it did not happen${seen}`,
  lastCheck: (sentence: string) => `; the last check: ${sentence}`,
  noAnswer: 'no answer within 5 s',
  aRequestTo: 'a request to',
  statusWanted: (request: string, status: number, wanted: string) =>
    `${request} answered ${status}, expected ${wanted}`,
  aStatus: (relation: string) => `a status ${relation}`,
  relation: {
    'greater than': 'more than',
    'greater than or equal to': 'at least',
    'less than': 'less than',
    'less than or equal to': 'at most',
  } as Record<string, string>,
  got: (actual: string, wanted: string) => `got ${actual}, expected ${wanted}`,
  aType: (type: string) => (type === 'undefined' ? 'undefined' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`),
  anythingBut: (what: string) => `anything but ${what}`,
  state: {
    truthy: 'a value',
    falsy: 'no value',
    defined: 'a value',
    undefined: 'undefined',
    null: 'null',
    NaN: 'NaN',
  } as Record<string, string>,
  toMatch: (negated: boolean, pattern: string) => `it ${negated ? 'not ' : ''}to match ${pattern}`,
  toContain: (negated: boolean, value: string) => `it ${negated ? 'not ' : ''}to contain ${value}`,
  toHave: (negated: boolean, property: string, value?: string) =>
    `it ${negated ? 'not ' : ''}to have ${property}${value ? ` = ${value}` : ''}`,
  anythingElse: (actual: string) => `got ${actual}, expected anything else`,
  bodyWhere: (request: string, diff: string) => `${request} answered a body where ${diff}`,
  itIs: (actual: string, expected: string) => `it is ${actual}, expected ${expected}`,
  notExpected: (path: string, actual: string) => `${path} is ${actual} (not expected)`,
  missing: (path: string, expected: string) => `${path} is missing (expected ${expected})`,
  differs: (path: string, actual: string, expected: string) => `${path} is ${actual} (expected ${expected})`,
  andMorePlaces: (n: number) => `; and ${n} more`,
  otherOrder: (actual: string) => `got the expected items in another order: ${actual}`,
  items: (n: number) => en(n, 'item'),
  gotItems: (got: number, wanted: number) => `got ${en(got, 'item')}, expected ${wanted}`,
  missingItems: (some: string) => `missing ${some}`,
  extraItems: (some: string) => `not expected ${some}`,
  andMoreItems: (n: number) => ` and ${n} more`,
  header: (request: string, header: string, value: string, wanted: string) =>
    `${request} answered ${header}: ${value}, expected ${wanted}`,
  field: (request: string, path: string, value: string, wanted: string) =>
    `${request} answered a body with ${path} = ${value}, expected ${wanted}`,
  count: (request: string, path: string, got: number, wanted: number) =>
    `${request} answered ${path ? `a body with ${path} of ` : ''}${en(got, 'item')}, expected ${wanted}`,
  answeredBody: (body: string) => `it answered: ${body}`,
  // A failed start (target.ts) and an app found dead (testkit), as harnessSentence reads them back.
  exited: (code: string) => `the app exited with code ${code}`,
  killed: (signal: string) => `the app was killed by ${signal}`,
  beforeReady: (how: string) => `${how} before it was ready.`,
  notPrinted: (log: string, s: number) => `the app did not print "${log}" within ${s} s.`,
  notAnswered: (path: string, port: number, s: number) =>
    `the app did not answer GET ${path} with 2xx on port ${port} within ${s} s.`,
  wrongPort: (ports: string) =>
    ` It listens on port ${ports} instead: read the port from the PORT environment variable.`,
  outputLimit: (bytes: number) => `the app printed more than ${bytes} bytes before it was ready, so it was stopped`,
  entryMissing: (entry: string, path: string) => `the entry file ${entry} is missing (looked for ${path})`,
  notRunning: (how: string) => `the app is not running (it ${how}).`,
  stoppedBy: (signal: string) => `was stopped by ${signal}`,
  exitedWith: (code: string) => `exited with code ${code}`,
  sandboxAccess: (permission?: string, resource?: string) =>
    [permission && `${permission} access`, resource && `to ${resource}`].filter(Boolean).join(' ') || 'an operation',
  sandbox: (what: string) =>
    ` The grading sandbox refused it ${what} (ERR_ACCESS_DENIED): a lab app may read its own files and node_modules,` +
    ' write only in $TMPDIR, and start no processes or workers unless the lab allows it.',
};

export type ExplainMessages = typeof explainEnglish;

const explainUkrainian: ExplainMessages = {
  seconds: (ms) => (ms >= 1000 ? `${Number((ms / 1000).toFixed(1)).toLocaleString('uk')} с` : `${ms} мс`),
  andMore: (n) => `(і ще ${uk(n, 'невдала перевірка', 'невдалі перевірки', 'невдалих перевірок')})`,
  timedOut: (test, time) =>
    `${test ? 'тест не завершився' : 'підготовка (запуск застосунку або хук) не завершилася'} за ${time}`,
  lastFailed: (request, why) => `; його останній запит, ${request}, не вдався: ${why}`,
  lastWaiting: (request) => `; він досі чекав на відповідь на ${request}`,
  lastAnswered: (request, status) => `; на його останній запит, ${request}, прийшов код відповіді ${status}`,
  waited: (time, what, seen) => `чекали ${time} на ${what}, але цього не сталося${seen}`,
  lastCheck: (sentence) => `; остання перевірка: ${sentence}`,
  noAnswer: 'немає відповіді за 5 с',
  aRequestTo: 'запит до',
  statusWanted: (request, status, wanted) => `${request} повернув код відповіді ${status}, а очікували ${wanted}`,
  aStatus: (relation) => `код відповіді ${relation}`,
  relation: {
    'greater than': 'більший за',
    'greater than or equal to': 'щонайменше',
    'less than': 'менший за',
    'less than or equal to': 'щонайбільше',
  },
  got: (actual, wanted) => `отримали ${actual}, а очікували ${wanted}`,
  aType: (type) => (type === 'undefined' ? 'undefined' : `тип ${type}`),
  anythingBut: (what) => `будь-що, крім ${what}`,
  state: {
    truthy: 'значення',
    falsy: 'відсутність значення',
    defined: 'значення',
    undefined: 'undefined',
    null: 'null',
    NaN: 'NaN',
  },
  toMatch: (negated, pattern) => `значення, що ${negated ? 'не ' : ''}відповідає ${pattern}`,
  toContain: (negated, value) => `значення, що ${negated ? 'не ' : ''}містить ${value}`,
  toHave: (negated, property, value) =>
    `значення ${negated ? 'без поля' : 'з полем'} ${property}${value ? ` = ${value}` : ''}`,
  anythingElse: (actual) => `отримали ${actual}, а очікували будь-яке інше значення`,
  bodyWhere: (request, diff) => `${request} повернув тіло, у якому ${diff}`,
  itIs: (actual, expected) => `воно ${actual}, а очікували ${expected}`,
  notExpected: (path, actual) => `${path} = ${actual} (не очікували)`,
  missing: (path, expected) => `${path} немає (очікували ${expected})`,
  differs: (path, actual, expected) => `${path} = ${actual} (очікували ${expected})`,
  andMorePlaces: (n) => `; і ще ${n}`,
  otherOrder: (actual) => `отримали очікувані елементи в іншому порядку: ${actual}`,
  items: (n) => uk(n, 'елемент', 'елементи', 'елементів'),
  gotItems: (got, wanted) => `отримали ${uk(got, 'елемент', 'елементи', 'елементів')}, а очікували ${wanted}`,
  missingItems: (some) => `бракує ${some}`,
  extraItems: (some) => `зайві ${some}`,
  andMoreItems: (n) => ` і ще ${n}`,
  header: (request, header, value, wanted) =>
    `${request} повернув заголовок ${header}: ${value}, а очікували ${wanted}`,
  field: (request, path, value, wanted) => `${request} повернув тіло, де ${path} = ${value}, а очікували ${wanted}`,
  count: (request, path, got, wanted) =>
    `${request} повернув ${path ? `тіло, де в ${path} ` : ''}${uk(got, 'елемент', 'елементи', 'елементів')}, а очікували ${wanted}`,
  answeredBody: (body) => `відповідь: ${body}`,
  exited: (code) => `застосунок завершився з кодом ${code}`,
  killed: (signal) => `застосунок зупинено сигналом ${signal}`,
  beforeReady: (how) => `${how}, перш ніж став готовим.`,
  notPrinted: (log, s) => `застосунок не вивів "${log}" за ${s} с.`,
  notAnswered: (path, port, s) => `застосунок не відповів на GET ${path} кодом 2xx на порту ${port} за ${s} с.`,
  wrongPort: (ports) => ` Натомість він слухає порт ${ports}: читайте порт зі змінної середовища PORT.`,
  outputLimit: (bytes) => `застосунок вивів понад ${bytes} байтів, перш ніж став готовим, тому його зупинили`,
  entryMissing: (entry, path) => `немає файлу входу ${entry} (шукали ${path})`,
  notRunning: (how) => `застосунок не працює (${how}).`,
  stoppedBy: (signal) => `його зупинено сигналом ${signal}`,
  exitedWith: (code) => `він завершився з кодом ${code}`,
  sandboxAccess: (permission, resource) =>
    [permission ? `доступ ${permission}` : 'дію', resource && `до ${resource}`].filter(Boolean).join(' '),
  sandbox: (what) =>
    ` Пісочниця оцінювання заборонила застосунку ${what} (ERR_ACCESS_DENIED): застосунок лабораторної може читати` +
    ' власні файли й node_modules, писати лише в $TMPDIR і не запускати процесів чи воркерів, якщо лабораторна' +
    ' цього не дозволяє.',
};

const catalogue: Record<Lang, Messages> = { en: english, uk: ukrainian };
const explainCatalogue: Record<Lang, ExplainMessages> = { en: explainEnglish, uk: explainUkrainian };

export const messages = (lang: Lang): Messages => catalogue[lang];
export const explainMessages = (lang: Lang): ExplainMessages => explainCatalogue[lang];

/**
 * A graded test's hint in `lang`: Ukrainian from the lab's hints.uk.json (keyed by test file, then the test's full
 * name), else the English hint marked as untranslated.
 */
export function localHint(
  labDir: string,
  test: { name: string; hint?: string },
  lang: Lang,
  table = hintTable(labDir, lang),
): string | undefined {
  if (lang === 'en' || !test.hint) return test.hint;
  return table.get(test.name) ?? `${catalogue[lang].untranslatedHint}${test.hint}`;
}

/** The hints file of a lab in a language other than English: `labs/<id>/hints.<lang>.json`. */
export const hintsFile = (labDir: string, lang: Lang) => join(labDir, `hints.${lang}.json`);

export type HintsFile = Record<string, Record<string, string>>;

/** A lab's translated hints by test name (empty when the lab has none, or in English). */
export function hintTable(labDir: string, lang: Lang): Map<string, string> {
  const file = hintsFile(labDir, lang);
  if (lang === 'en' || !existsSync(file)) return new Map();
  const byFile = JSON.parse(readFileSync(file, 'utf8')) as HintsFile;
  return new Map(Object.values(byFile).flatMap((tests) => Object.entries(tests)));
}
