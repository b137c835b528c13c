// The Ukrainian edition mirrors the English one file for file: the translation of `P` (a lesson, a case study, a
// lab README or the home page) is `uk/P`. A translation keeps the English page's structure — the same headings at
// the same levels, code blocks and snippet imports byte for byte, the same components, the same quiz with the same
// right answers, the same generated "What is graded" block — and says which English text it was made from
// (`translatedFrom` in its front matter: the first 12 hex digits of the English file's SHA-256), so a later change
// to the English page shows the translation as stale. tests/unit/translations.test.ts runs this over every page.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../../cli/paths.ts';
import { EDITIONS } from './i18n.ts';

export const UK_ROOT = EDITIONS.uk.dir;

/** Every English page (paths from the repo root): the home page, lessons, case studies and lab READMEs. */
export function englishPages(root = repoRoot): string[] {
  const md = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((f) => f.endsWith('.md') && f !== 'README.md')
          .sort()
          .map((f) => `${dir}/${f}`)
      : [];
  const labs = readdirSync(join(root, 'labs'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, 'labs', e.name, 'README.md')))
    .map((e) => `labs/${e.name}/README.md`)
    .sort();
  return ['site/index.md', ...md('lessons'), ...md('lessons/case-studies'), ...labs];
}

/** The stamp a translation carries of the English text it was made from. */
export function sourceStamp(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;

interface Shape {
  frontMatter: Record<string, unknown>;
  headings: number[];
  /** Each heading's anchor: its `{#id}` when it has one, else VitePress's slug of its text. */
  anchors: string[];
  /** Whether each heading names its anchor explicitly (`## Заголовок {#english-anchor}`). */
  explicit: boolean[];
  /** Fenced code blocks other than diagrams, with their info string: identical in both editions. */
  code: string[];
  /** Mermaid diagrams: their labels are translated, so only their number must match. */
  diagrams: number;
  /** `<<< @/…` snippet imports, component tags (`<Quiz />`) and the generated graded block: identical. */
  fixed: string[];
}

function shapeOf(text: string): Shape {
  const fm = FRONT_MATTER.exec(text);
  const frontMatter = fm ? ((parseYaml(fm[1] ?? '') as Record<string, unknown> | null) ?? {}) : {};
  const body = fm ? text.slice(fm[0].length) : text;
  const shape: Shape = { frontMatter, headings: [], anchors: [], explicit: [], code: [], diagrams: 0, fixed: [] };
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      const [, indent, marks, info] = fence;
      const content: string[] = [];
      let j = i + 1;
      while (j < lines.length && !new RegExp(`^${indent}${marks![0]}{${marks!.length},}\\s*$`).test(lines[j]!)) {
        content.push(lines[j]!);
        j++;
      }
      i = j;
      if (info!.trim().split(/\s+/)[0] === 'mermaid') shape.diagrams++;
      else shape.code.push(`${info!.trim()}\n${content.join('\n')}`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*$/.exec(line);
    if (heading) {
      const id = /\s*\{#([^}\s]+)\}$/.exec(heading[2]!);
      shape.headings.push(heading[1]!.length);
      shape.explicit.push(Boolean(id));
      shape.anchors.push(id ? id[1]! : slugify(heading[2]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')));
    }
    if (/^<<<\s/.test(line) || /^\s*<[A-Z][\w-]*[\s/>]/.test(line)) shape.fixed.push(line.trim());
    if (line.startsWith('<!-- graded:begin')) {
      const end = lines.indexOf('<!-- graded:end -->', i);
      shape.fixed.push(lines.slice(i, end + 1).join('\n'));
      i = end < 0 ? lines.length : end;
    }
  }
  return shape;
}

// VitePress's heading slug (its markdown `slugify`), so a translation can keep the English page's anchors.
// biome-ignore lint/suspicious/noControlCharactersInRegex: VitePress's slug drops control characters too.
const CONTROL = /[\u0000-\u001f]/g;
const SPECIAL = /[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g;
function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036F]/g, '')
    .replace(CONTROL, '')
    .replace(SPECIAL, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();
}

interface QuizItem {
  question?: unknown;
  options?: unknown[];
  answer?: unknown;
  explanation?: unknown;
}

/** How a translation's structure differs from its English page: `[]` when it mirrors it. */
export function structureProblems(english: string, translation: string): string[] {
  const en = shapeOf(english);
  const uk = shapeOf(translation);
  const problems: string[] = [];
  const keys = (o: Record<string, unknown>) =>
    Object.keys(o)
      .filter((k) => k !== 'translatedFrom')
      .sort()
      .join(', ');
  if (keys(en.frontMatter) !== keys(uk.frontMatter))
    problems.push(`front matter keys differ: English [${keys(en.frontMatter)}], translation [${keys(uk.frontMatter)}]`);
  for (const key of ['order', 'labs', 'layout']) {
    if (JSON.stringify(en.frontMatter[key]) !== JSON.stringify(uk.frontMatter[key]))
      problems.push(`front matter \`${key}\` must stay as in English (${JSON.stringify(en.frontMatter[key])})`);
  }
  const enQuiz = (en.frontMatter.quiz ?? []) as QuizItem[];
  const ukQuiz = (uk.frontMatter.quiz ?? []) as QuizItem[];
  if (enQuiz.length !== ukQuiz.length) problems.push(`quiz has ${ukQuiz.length} questions, English ${enQuiz.length}`);
  enQuiz.forEach((q, i) => {
    const t = ukQuiz[i];
    if (!t) return;
    if (q.answer !== t.answer) problems.push(`quiz[${i}].answer is ${String(t.answer)}, English ${String(q.answer)}`);
    if (q.options?.length !== t.options?.length)
      problems.push(`quiz[${i}] has ${t.options?.length ?? 0} options, English ${q.options?.length ?? 0}`);
    if ((q.explanation === undefined) !== (t.explanation === undefined))
      problems.push(`quiz[${i}].explanation: present in one edition only`);
  });
  if (en.headings.join(' ') !== uk.headings.join(' '))
    problems.push(
      `headings differ in number or level: English ${en.headings.map((l) => 'h' + l).join(' ')}; translation ${uk.headings.map((l) => 'h' + l).join(' ')}`,
    );
  else {
    // Links (#anchor, page.md#anchor, the language switch) work in both editions only if the anchors are the same.
    const wrong = uk.anchors
      .map((anchor, i) => ({ anchor, want: en.anchors[i]!, explicit: uk.explicit[i] }))
      .filter((h) => !h.explicit || h.anchor !== h.want);
    if (wrong.length > 0)
      problems.push(
        `headings must keep the English anchors: end them with ${wrong
          .slice(0, 5)
          .map((h) => `{#${h.want}}`)
          .join(', ')}${wrong.length > 5 ? ` (and ${wrong.length - 5} more)` : ''}`,
      );
  }
  if (en.diagrams !== uk.diagrams) problems.push(`${uk.diagrams} mermaid diagrams, English ${en.diagrams}`);
  if (en.code.length !== uk.code.length) problems.push(`${uk.code.length} code blocks, English ${en.code.length}`);
  en.code.forEach((block, i) => {
    if (uk.code[i] !== undefined && uk.code[i] !== block)
      problems.push(`code block ${i + 1} differs from English (code stays as it is): ${block.split('\n')[0]}`);
  });
  const enFixed = en.fixed.join('\n');
  if (enFixed !== uk.fixed.join('\n')) {
    const missing = en.fixed.filter((f) => !uk.fixed.includes(f));
    const extra = uk.fixed.filter((f) => !en.fixed.includes(f));
    problems.push(
      `snippet imports, components or the graded block differ${missing.length ? `; missing: ${missing.map((m) => m.split('\n')[0]).join(' | ')}` : ''}${extra.length ? `; extra: ${extra.map((m) => m.split('\n')[0]).join(' | ')}` : ''}${!missing.length && !extra.length ? ' in order' : ''}`,
    );
  }
  return problems;
}

export interface TranslationStatus {
  english: string;
  translation: string;
  exists: boolean;
  /** The English page changed since the translation was made (or the translation has no stamp). */
  stale: boolean;
  problems: string[];
}

export function translationStatus(englishPage: string, root = repoRoot): TranslationStatus {
  const translation = `${UK_ROOT}/${englishPage}`;
  const english = readFileSync(join(root, englishPage), 'utf8');
  if (!existsSync(join(root, translation)))
    return { english: englishPage, translation, exists: false, stale: true, problems: [] };
  const text = readFileSync(join(root, translation), 'utf8');
  let problems: string[];
  let stamp: unknown;
  try {
    problems = structureProblems(english, text);
    // Read as written: YAML would turn a stamp of digits only (or digits and one `e`) into a number.
    stamp = /^translatedFrom:\s*['"]?([0-9a-f]{12})['"]?\s*$/m.exec(FRONT_MATTER.exec(text)?.[1] ?? '')?.[1];
  } catch (error) {
    problems = [`cannot read it: ${(error as Error).message}`];
  }
  return { english: englishPage, translation, exists: true, stale: stamp !== sourceStamp(english), problems };
}
