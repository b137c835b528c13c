// What the course site is made of, discovered from disk every time the config loads: the lessons, the case studies,
// the reference pages (the glossary) and the labs, in both editions: English at the repo root, Ukrainian under uk/
// (the translation of page P is uk/P; site/README.md, "Two editions"). Nothing here lists a lesson or a lab by name,
// so new ones appear without touching the config.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
/** The repository root; it is also VitePress's `srcDir`, so `@/labs/...` snippet imports resolve from here. */
import { repoRoot } from '../../cli/paths.ts';
import { EDITIONS, type EditionKey, wordsFor } from './i18n.ts';
import { UK_ROOT } from './translations.ts';

export interface Lesson {
  /** Path from the repo root, e.g. `lessons/04-webhooks.md` (`uk/lessons/04-webhooks.md` when translated). */
  file: string;
  /** Site link without extension, e.g. `/lessons/04-webhooks` (`/uk/lessons/04-webhooks`). */
  link: string;
  title: string;
  order: number;
  labs: string[];
}

export interface Lab {
  /** Folder name, e.g. `03-stripe-webhooks`. */
  id: string;
  title: string;
  link: string;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;

/** The YAML front matter of a Markdown file, or `{}` when it has none. Throws with the file name on bad YAML. */
export function readFrontMatter(absFile: string): Record<string, unknown> {
  const match = FRONT_MATTER.exec(readFileSync(absFile, 'utf8'));
  if (!match) return {};
  try {
    const data: unknown = parseYaml(match[1] ?? '');
    return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  } catch (err) {
    throw new Error(`${absFile}: front matter is not valid YAML: ${(err as Error).message}`);
  }
}

function markdownFiles(relDir: string): string[] {
  const dir = join(repoRoot, relDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md') && e.name !== 'README.md')
    .map((e) => `${relDir}/${e.name}`)
    .sort();
}

/** Where an edition keeps the page whose English file is `file`: `file` itself, or `uk/file`. */
function inEdition(file: string, edition: EditionKey): string {
  return edition === 'root' ? file : `${EDITIONS[edition].dir}/${file}`;
}

function toLesson(file: string): Lesson {
  const fm = readFrontMatter(join(repoRoot, file));
  const problems: string[] = [];
  if (typeof fm.title !== 'string' || fm.title.trim() === '') problems.push('`title` must be a non-empty string');
  if (typeof fm.order !== 'number' || !Number.isFinite(fm.order)) problems.push('`order` must be a number');
  const labs = fm.labs ?? [];
  if (!Array.isArray(labs) || labs.some((l) => typeof l !== 'string')) {
    problems.push('`labs` must be a list of lab folder names');
  }
  if (problems.length > 0) {
    throw new Error(`${file}: front matter: ${problems.join('; ')} (see CONTRIBUTING.md, "Lessons")`);
  }
  return {
    file,
    link: `/${file.replace(/\.md$/, '')}`,
    title: fm.title as string,
    order: fm.order as number,
    labs: labs as string[],
  };
}

/**
 * The English lesson as an edition shows it: its translation's title and link when the translation exists, else the
 * English page itself (a page not translated yet is still in the sidebar, in English). Order and labs always come
 * from the English page (tests/unit/translations.test.ts keeps them equal).
 */
function localize(lesson: Lesson, edition: EditionKey): Lesson {
  const file = inEdition(lesson.file, edition);
  if (file === lesson.file || !existsSync(join(repoRoot, file))) return lesson;
  const { title } = toLesson(file);
  return { ...lesson, file, link: `/${file.replace(/\.md$/, '')}`, title };
}

const byOrder = (a: Lesson, b: Lesson) => a.order - b.order || a.file.localeCompare(b.file);
/** Course lessons are named `NN-slug.md`; any other page in lessons/ (the glossary) is reference material. */
const COURSE_LESSON = /^lessons\/\d+-[^/]+\.md$/;

/** `lessons/NN-slug.md` in course order. */
export function discoverLessons(edition: EditionKey = 'root'): Lesson[] {
  return markdownFiles('lessons')
    .filter((f) => COURSE_LESSON.test(f))
    .map(toLesson)
    .sort(byOrder)
    .map((l) => localize(l, edition));
}

/** `lessons/*.md` that are not numbered lessons (the glossary), in their `order`. */
export function discoverReference(edition: EditionKey = 'root'): Lesson[] {
  return markdownFiles('lessons')
    .filter((f) => !COURSE_LESSON.test(f))
    .map(toLesson)
    .sort(byOrder)
    .map((l) => localize(l, edition));
}

/** `lessons/case-studies/*.md` in their `order`. */
export function discoverCaseStudies(edition: EditionKey = 'root'): Lesson[] {
  return markdownFiles('lessons/case-studies')
    .map(toLesson)
    .sort(byOrder)
    .map((l) => localize(l, edition));
}

/**
 * Every `labs/NN-slug/` folder that has a README.md (a lab without its task page is not on the site yet); in the
 * Ukrainian edition, its translated README's title and link when there is one.
 */
export function discoverLabs(edition: EditionKey = 'root'): Map<string, Lab> {
  const labs = new Map<string, Lab>();
  const dir = join(repoRoot, 'labs');
  if (!existsSync(dir)) return labs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(dir, entry.name, 'README.md'))) continue;
    const translated = inEdition(`labs/${entry.name}`, edition);
    const folder = existsSync(join(repoRoot, translated, 'README.md')) ? translated : `labs/${entry.name}`;
    labs.set(entry.name, { id: entry.name, title: labTitle(folder, entry.name), link: `/${folder}/` });
  }
  return labs;
}

/** The README's first `# heading` (without its `{#anchor}`), else `lab.json`'s `title`, else the folder name. */
function labTitle(folder: string, id: string): string {
  const readme = readFileSync(join(repoRoot, folder, 'README.md'), 'utf8').replace(FRONT_MATTER, '');
  const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(readme)?.[1]?.replace(/\s*\{#[^}\s]+\}$/, '');
  if (heading) return heading;
  const labJson = join(repoRoot, 'labs', id, 'lab.json');
  if (existsSync(labJson)) {
    try {
      const title = (JSON.parse(readFileSync(labJson, 'utf8')) as { title?: unknown }).title;
      if (typeof title === 'string' && title) return title;
    } catch {
      // A broken lab.json is the lab's own test's business; the sidebar falls back to the folder name.
    }
  }
  return id;
}

interface SidebarItem {
  text: string;
  link?: string;
  items?: SidebarItem[];
  collapsed?: boolean;
}

/**
 * Lessons in course order, each followed by the labs it lists that exist on disk (a lab announced in front matter
 * but not written yet is skipped silently), then the case studies, the reference pages, and any lab no lesson points
 * to yet. The Ukrainian edition's sidebar is the same list with the translated titles and links (English where a
 * page is not translated yet) and Ukrainian group names.
 */
export function buildSidebar(edition: EditionKey = 'root'): SidebarItem[] {
  const words = wordsFor(EDITIONS[edition].lang);
  const labs = discoverLabs(edition);
  const listed = new Set<string>();
  const lessonItems = discoverLessons(edition).map((lesson): SidebarItem => {
    const labItems = lesson.labs.flatMap((id) => {
      const lab = labs.get(id);
      if (!lab) return [];
      listed.add(id);
      // Lab READMEs usually say "Lab 03 — …" themselves; mark the others so they stand out from lessons.
      return [
        { text: words.labTitled.test(lab.title) ? lab.title : words.sidebar.labPrefix + lab.title, link: lab.link },
      ];
    });
    return labItems.length > 0
      ? { text: lesson.title, link: lesson.link, items: labItems, collapsed: false }
      : { text: lesson.title, link: lesson.link };
  });
  const sidebar: SidebarItem[] = [{ text: words.sidebar.lessons, items: lessonItems }];
  const group = (text: string, pages: Lesson[]) => {
    if (pages.length > 0) sidebar.push({ text, items: pages.map((p) => ({ text: p.title, link: p.link })) });
  };
  group(words.sidebar.caseStudies, discoverCaseStudies(edition));
  group(words.sidebar.reference, discoverReference(edition));
  const orphans = [...labs.values()].filter((lab) => !listed.has(lab.id));
  if (orphans.length > 0) {
    sidebar.push({ text: words.sidebar.moreLabs, items: orphans.map((lab) => ({ text: lab.title, link: lab.link })) });
  }
  return sidebar;
}

/**
 * Where VitePress serves a source page (its `rewrites`): the home page `site/index.md` at `index.md`, a lab's
 * `labs/<id>/README.md` at `labs/<id>/index.md`; the same under `uk/`. Every other page stays where it is.
 */
export function rewritePage(page: string): string {
  const m = /^(uk\/)?(?:site\/(index\.md)|labs\/([^/]+)\/README\.md)$/.exec(page);
  if (!m) return page;
  return `${m[1] ?? ''}${m[2] ?? `labs/${m[3]}/index.md`}`;
}

/** The other way: the source file (from the repo root) of a page VitePress serves at `served` (`uk/index.md` …). */
function sourceOf(served: string): string {
  const m = /^(uk\/)?(?:(index\.md)|labs\/([^/]+)\/index\.md)$/.exec(served);
  if (!m) return served;
  return `${m[1] ?? ''}${m[2] ? 'site/index.md' : `labs/${m[3]}/README.md`}`;
}

/** The source file a link's path (from the site root, without base) names, if it names a page that exists. */
function pageAt(path: string, root: string): string | undefined {
  const clean = path.replace(/\.html$/, '.md');
  const candidates =
    clean === '' || clean.endsWith('/')
      ? [`${clean}index.md`]
      : clean.endsWith('.md')
        ? [clean]
        : [`${clean}.md`, `${clean}/index.md`];
  return candidates.map(sourceOf).find((file) => existsSync(join(root, file)));
}

/**
 * A link on a Ukrainian page to a Ukrainian page that is not translated yet leads to the English page instead (the
 * sidebar does the same), so the edition works while its translation is under way: `./05-event-driven.md#x` on
 * `uk/lessons/04-webhooks.md` becomes `/lessons/05-event-driven.md#x` until `uk/lessons/05-event-driven.md` exists.
 * Returns the new href, or undefined to keep it (external links, anchors, pages that exist, real dead links).
 * `fromPage` is the page's path as VitePress serves it (`env.relativePath`, e.g. `uk/labs/00-warmup/index.md`).
 */
export function untranslatedFallback(href: string, fromPage: string, root = repoRoot): string | undefined {
  if (!fromPage.startsWith(`${UK_ROOT}/`) || /^([a-z][\w+.-]*:|\/\/|#)/i.test(href)) return undefined;
  const [, path = '', rest = ''] = /^([^?#]*)(.*)$/s.exec(href) ?? [];
  if (path === '') return undefined;
  const target = path.startsWith('/') ? posix.normalize(path.slice(1)) : posix.join(posix.dirname(fromPage), path);
  if (!target.startsWith(`${UK_ROOT}/`) || pageAt(target, root)) return undefined;
  const english = target.slice(UK_ROOT.length + 1);
  return pageAt(english, root) ? `/${english}${rest}` : undefined;
}

/** The top-level folders of an edition that hold pages. */
const CONTENT_DIRS = new Set(['lessons', 'labs', 'site']);

/** Globs, under `prefix` (`` or `uk/`), of Markdown in an edition's tree that is not a page. */
function nonContentIn(prefix: string, skip: ReadonlySet<string>): string[] {
  const root = join(repoRoot, prefix);
  if (!existsSync(root)) return [];
  const topLevel = readdirSync(root, { withFileTypes: true })
    .filter((e) => !CONTENT_DIRS.has(e.name) && !skip.has(e.name) && !e.name.startsWith('.'))
    .map((e) => `${prefix}${e.isDirectory() ? `${e.name}/**` : e.name}`);
  const lessonSubdirs = existsSync(join(root, 'lessons'))
    ? readdirSync(join(root, 'lessons'), { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name !== 'case-studies')
        .map((e) => `${prefix}lessons/${e.name}/**`)
    : [];
  return [
    ...topLevel,
    ...lessonSubdirs,
    ...[
      // Folder notes for contributors; the labs' own README.md files are their task pages and stay.
      'lessons/README.md',
      'lessons/case-studies/README.md',
      'labs/*.md', // README.md, AUTHORING.md …: notes about labs, not labs
      'lessons/case-studies/*/**',
      'labs/*/*/**', // a lab's starter/, solution/, tests/, mutants/
      'labs/*/!(README).md',
      'site/!(index).md',
      'site/*/**',
    ].map((glob) => prefix + glob),
  ];
}

/**
 * Globs (relative to the repo root) of Markdown that is not course content. Built from what is on disk so that a
 * new top-level folder (say `docs/` or `grading/`) never turns into pages by accident: only `lessons/`, the labs'
 * READMEs and `site/index.md` are pages, and their translations under `uk/` by the same rules.
 */
export function nonContentGlobs(): string[] {
  return [...nonContentIn('', new Set([UK_ROOT])), ...nonContentIn(`${UK_ROOT}/`, new Set())];
}
