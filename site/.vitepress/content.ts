// What the course site is made of, discovered from disk every time the config loads: the lessons, the case studies
// and the labs. Nothing here lists a lesson or a lab by name, so new ones appear without touching the config.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The repository root; it is also VitePress's `srcDir`, so `@/labs/...` snippet imports resolve from here. */

import { repoRoot } from '../../cli/paths.ts';

export interface Lesson {
  /** Path from the repo root, e.g. `lessons/04-webhooks.md`. */
  file: string;
  /** Site link without extension, e.g. `/lessons/04-webhooks`. */
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

const byOrder = (a: Lesson, b: Lesson) => a.order - b.order || a.file.localeCompare(b.file);

/** `lessons/*.md` in course order. */
export function discoverLessons(): Lesson[] {
  return markdownFiles('lessons').map(toLesson).sort(byOrder);
}

/** `lessons/case-studies/*.md` in their `order`. */
export function discoverCaseStudies(): Lesson[] {
  return markdownFiles('lessons/case-studies').map(toLesson).sort(byOrder);
}

/** Every `labs/NN-slug/` folder that has a README.md (a lab without its task page is not on the site yet). */
export function discoverLabs(): Map<string, Lab> {
  const labs = new Map<string, Lab>();
  const dir = join(repoRoot, 'labs');
  if (!existsSync(dir)) return labs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(dir, entry.name, 'README.md'))) continue;
    labs.set(entry.name, { id: entry.name, title: labTitle(entry.name), link: `/labs/${entry.name}/` });
  }
  return labs;
}

/** The README's first `# heading`, else `lab.json`'s `title`, else the folder name. */
function labTitle(id: string): string {
  const readme = readFileSync(join(repoRoot, 'labs', id, 'README.md'), 'utf8').replace(FRONT_MATTER, '');
  const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(readme)?.[1];
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
 * but not written yet is skipped silently), then the case studies, then any lab no lesson points to yet.
 */
export function buildSidebar(): SidebarItem[] {
  const labs = discoverLabs();
  const listed = new Set<string>();
  const lessonItems = discoverLessons().map((lesson): SidebarItem => {
    const labItems = lesson.labs.flatMap((id) => {
      const lab = labs.get(id);
      if (!lab) return [];
      listed.add(id);
      // Lab READMEs usually say "Lab 03 — …" themselves; mark the others so they stand out from lessons.
      return [{ text: /^lab\b/i.test(lab.title) ? lab.title : `Lab: ${lab.title}`, link: lab.link }];
    });
    return labItems.length > 0
      ? { text: lesson.title, link: lesson.link, items: labItems, collapsed: false }
      : { text: lesson.title, link: lesson.link };
  });
  const sidebar: SidebarItem[] = [{ text: 'Lessons', items: lessonItems }];
  const caseStudies = discoverCaseStudies();
  if (caseStudies.length > 0) {
    sidebar.push({ text: 'Case studies', items: caseStudies.map((c) => ({ text: c.title, link: c.link })) });
  }
  const orphans = [...labs.values()].filter((lab) => !listed.has(lab.id));
  if (orphans.length > 0) {
    sidebar.push({ text: 'More labs', items: orphans.map((lab) => ({ text: lab.title, link: lab.link })) });
  }
  return sidebar;
}

/**
 * Globs (relative to the repo root) of Markdown that is not course content. Built from what is on disk so that a
 * new top-level folder (say `docs/` or `grading/`) never turns into pages by accident: only `lessons/`, the labs'
 * READMEs and `site/index.md` are pages.
 */
export function nonContentGlobs(): string[] {
  const keep = new Set(['lessons', 'labs', 'site']);
  const topLevel = readdirSync(repoRoot, { withFileTypes: true })
    .filter((e) => !keep.has(e.name) && !e.name.startsWith('.'))
    .map((e) => (e.isDirectory() ? `${e.name}/**` : e.name));
  const lessonSubdirs = existsSync(join(repoRoot, 'lessons'))
    ? readdirSync(join(repoRoot, 'lessons'), { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name !== 'case-studies')
        .map((e) => `lessons/${e.name}/**`)
    : [];
  return [
    ...topLevel,
    ...lessonSubdirs,
    // Folder notes for contributors; the labs' own README.md files are their task pages and stay.
    'lessons/README.md',
    'lessons/case-studies/README.md',
    'labs/*.md', // README.md, AUTHORING.md …: notes about labs, not labs
    'lessons/case-studies/*/**',
    'labs/*/*/**', // a lab's starter/, solution/, tests/, mutants/
    'labs/*/!(README).md',
    'site/!(index).md',
    'site/*/**',
  ];
}
