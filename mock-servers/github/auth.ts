import type { Context } from 'hono';
import { safeEqual } from '../shared/index.ts';
import { DOCS, gh } from './context.ts';

/** Who may call the API: personal access tokens (`tokens`) and the GitHub App's installation tokens (`appTokens`). */
export function createAuth(tokens: readonly string[], appTokens: readonly string[]) {
  /** Who calls: a person (personal access token) or the GitHub App (installation token); 401 when neither. */
  function caller(c: Context): 'user' | 'app' | Response {
    const header = c.req.header('authorization') ?? '';
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
    if (!header) return gh(c, 401, 'Requires authentication');
    // Compare with every token, so timing tells nothing about which list matched.
    const user = match ? tokens.map((t) => safeEqual(t, match[1]!)).includes(true) : false;
    const installation = match ? appTokens.map((t) => safeEqual(t, match[1]!)).includes(true) : false;
    if (installation) return 'app';
    return user ? 'user' : gh(c, 401, 'Bad credentials');
  }
  return {
    /** `Authorization: token X` or `Bearer X`; answers 401 in GitHub's words when missing or wrong. */
    authFailure(c: Context): Response | undefined {
      const who = caller(c);
      return who instanceof Response ? who : undefined;
    },
    /** Only a GitHub App may write check runs: a personal token gets GitHub's 403. */
    appOnly(c: Context, doc: string): Response | undefined {
      const who = caller(c);
      if (who instanceof Response) return who;
      if (who === 'app') return undefined;
      return c.json(
        {
          message: 'You must authenticate via a GitHub App.',
          documentation_url: `${DOCS}/checks/runs#${doc}`,
          status: '403',
        },
        403,
      );
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
