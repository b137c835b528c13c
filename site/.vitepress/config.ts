// The course site. Pages come straight from where the course lives (srcDir is the repo root): lessons/**/*.md,
// labs/*/README.md (shown at /labs/NN-slug/) and site/index.md (the home page). site/README.md explains the layout.
import { defineConfig } from 'vitepress';
import { buildSidebar, nonContentGlobs } from './content.ts';
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

export default defineConfig({
  title: 'Integration Lab',
  description: 'A hands-on course on systems integration and APIs, in TypeScript.',
  lang: 'en',
  base: siteBase(process.env.SITE_BASE),
  srcDir: '..',
  srcExclude: nonContentGlobs(),
  // Pages may link to what runs on the student's machine (http://localhost:3000/…): live pages there, not pages of
  // this site. Every other dead link still fails the build.
  ignoreDeadLinks: 'localhostLinks',
  rewrites(page) {
    if (page === 'site/index.md') return 'index.md';
    // labs/03-stripe-webhooks/README.md -> labs/03-stripe-webhooks/index.md, served as /labs/03-stripe-webhooks/
    const lab = /^labs\/([^/]+)\/README\.md$/.exec(page);
    return lab ? `labs/${lab[1]}/index.md` : page;
  },
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

  themeConfig: {
    nav: [
      { text: 'Home', link: '/' },
      { text: 'Start here', link: '/lessons/00-getting-started' },
    ],
    sidebar: buildSidebar(),
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    docFooter: { prev: 'Previous', next: 'Next' },
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
