// The course site. Pages come straight from where the course lives (srcDir is the repo root): lessons/**/*.md,
// labs/*/README.md (shown at /labs/NN-slug/) and site/index.md (the home page); their Ukrainian translations under
// uk/ make the edition at /uk/. site/README.md explains the layout.
import { type DefaultTheme, defineConfig, type LocaleSpecificConfig } from 'vitepress';
import { buildSidebar, nonContentGlobs, rewritePage, untranslatedFallback } from './content.ts';
import { EDITIONS, type EditionKey, wordsFor } from './i18n.ts';
import { quizProblems } from './quiz.ts';

/** `SITE_BASE` (e.g. `/integration-lab/` on GitHub Pages) as VitePress wants it: leading and trailing slash. */
function siteBase(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '' || raw.trim() === '/') return '/';
  const trimmed = raw.trim().replace(/^\/+|\/+$/g, '');
  if (!/^[\w.~-]+(\/[\w.~-]+)*$/.test(trimmed)) {
    throw new Error(`SITE_BASE=${JSON.stringify(raw)} is not a URL path like /integration-lab/`);
  }
  return `/${trimmed}/`;
}

/** One edition's title, language, nav, sidebar and theme labels, all words from i18n.ts. */
function edition(key: EditionKey): LocaleSpecificConfig<DefaultTheme.Config> & { label: string; link: string } {
  const { lang, label, dir } = EDITIONS[key];
  const words = wordsFor(lang);
  const home = dir ? `/${dir}/` : '/';
  return {
    label,
    lang,
    link: home,
    title: 'Integration Lab',
    description: words.siteDescription,
    themeConfig: {
      nav: [
        { text: words.nav.home, link: home },
        { text: words.nav.startHere, link: `${home}lessons/00-getting-started` },
      ],
      sidebar: buildSidebar(key),
      outline: { level: [2, 3], label: words.theme.outlineLabel },
      docFooter: { prev: words.theme.prev, next: words.theme.next },
      darkModeSwitchLabel: words.theme.darkModeSwitchLabel,
      lightModeSwitchTitle: words.theme.lightModeSwitchTitle,
      darkModeSwitchTitle: words.theme.darkModeSwitchTitle,
      sidebarMenuLabel: words.theme.sidebarMenuLabel,
      returnToTopLabel: words.theme.returnToTopLabel,
      langMenuLabel: words.theme.langMenuLabel,
      skipToContentLabel: words.theme.skipToContentLabel,
      notFound: words.theme.notFound,
    },
  };
}

/** Local search's own words for each edition that has them (English is VitePress's default). */
function searchLocales(): Record<string, { translations: NonNullable<ReturnType<typeof wordsFor>['search']> }> {
  const locales: Record<string, { translations: NonNullable<ReturnType<typeof wordsFor>['search']> }> = {};
  for (const key of Object.keys(EDITIONS) as EditionKey[]) {
    const translations = wordsFor(EDITIONS[key].lang).search;
    if (translations) locales[key] = { translations };
  }
  return locales;
}

export default defineConfig({
  title: 'Integration Lab',
  // English at /, Ukrainian at /uk/: the language menu on every page leads to the same page in the other edition.
  locales: { root: edition('root'), uk: edition('uk') },
  base: siteBase(process.env.SITE_BASE),
  srcDir: '..',
  srcExclude: nonContentGlobs(),
  // Pages may link to what runs on the student's machine (http://localhost:3000/…): live pages there, not pages of
  // this site. Every other dead link still fails the build.
  ignoreDeadLinks: 'localhostLinks',
  // site/index.md -> index.md; labs/03-stripe-webhooks/README.md -> labs/03-stripe-webhooks/index.md, served as
  // /labs/03-stripe-webhooks/; the same under uk/.
  rewrites: rewritePage,
  lastUpdated: false,
  // An inline icon: browsers stop asking for /favicon.ico (a 404 on every page), and there is no public/ folder
  // to keep at the repo root (srcDir) just for it.
  head: [
    [
      'link',
      {
        rel: 'icon',
        type: 'image/svg+xml',
        href: `data:image/svg+xml,${encodeURIComponent(
          '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#3451b2"/>' +
            '<path d="M9 11h6v10H9zM17 11h6v10h-6z" fill="none" stroke="#fff" stroke-width="2"/><path d="M15 16h2" stroke="#fff" stroke-width="2"/></svg>',
        )}`,
      },
    ],
  ],
  // Dead links fail the build (VitePress's default): keep it that way, a broken link in a lesson is a bug.

  markdown: {
    config(md) {
      // On a Ukrainian page, a link to a page not translated yet leads to the English page (content.ts).
      md.core.ruler.push('untranslated-fallback', (state) => {
        const from = (state.env as { relativePath?: string }).relativePath ?? '';
        for (const block of state.tokens) {
          for (const token of block.children ?? []) {
            const href = token.type === 'link_open' ? token.attrGet('href') : null;
            const fallback = href === null ? undefined : untranslatedFallback(href, from);
            if (fallback !== undefined) token.attrSet('href', fallback);
          }
        }
      });
      // ```mermaid blocks become a component that loads Mermaid in the browser, so pages without a diagram never
      // download it. The source travels URI-encoded in a prop: no character in it can confuse the Vue compiler.
      const fence = md.renderer.rules.fence!;
      md.renderer.rules.fence = (tokens, idx, options, env, self) => {
        const token = tokens[idx]!;
        if (token.info.trim().split(/\s+/)[0] === 'mermaid') {
          return `<MermaidDiagram code="${encodeURIComponent(token.content)}" />\n`;
        }
        return fence(tokens, idx, options, env, self);
      };
    },
  },

  transformPageData(pageData) {
    const problems = quizProblems(pageData.frontmatter.quiz);
    if (problems.length > 0) {
      throw new Error(
        `${pageData.relativePath}: front matter: ${problems.join('; ')} (see CONTRIBUTING.md, "Lessons")`,
      );
    }
  },

  // Nav, sidebar and labels are per edition (`locales` above); search is one index per edition.
  themeConfig: {
    search: { provider: 'local', options: { locales: searchLocales() } },
  },

  vite: {
    // The repo's tsconfig targets es2024 for Node; the esbuild inside VitePress's Vite does not know that name yet
    // (it still prints one harmless warning about it while it bundles this config file).
    esbuild: { tsconfigRaw: { compilerOptions: { target: 'es2022' } } },
    // Mermaid is loaded lazily and only by pages with a diagram, so its big chunks never weigh on other pages.
    build: { chunkSizeWarningLimit: 2000 },
    // Pre-bundle Mermaid for the dev server up front: discovering it on the first diagram page would reload the page.
    optimizeDeps: { include: ['mermaid'] },
  },
});
