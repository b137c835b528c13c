// The quiz front-matter format (CONTRIBUTING.md, "Lessons"), checked in one place: the build fails on a malformed
// quiz (config.ts, transformPageData) and the <Quiz> component shows the same messages in dev.
// No Node imports here: the browser bundle uses it too.

/** @public Quiz.vue uses it (knip does not read .vue files). */
export interface QuizQuestion {
  question: string;
  options: string[];
  answer: number;
  explanation?: string;
}

/** Why a `quiz` front-matter value is not usable, or `[]` when it is fine. Shared by the build and the component. */
export function quizProblems(quiz: unknown): string[] {
  if (quiz === undefined) return [];
  if (!Array.isArray(quiz) || quiz.length === 0) return ['`quiz` must be a non-empty list of questions'];
  const problems: string[] = [];
  quiz.forEach((q: unknown, i) => {
    const where = `quiz[${i}]`;
    if (!q || typeof q !== 'object') {
      problems.push(`${where} must be an object with question, options, answer`);
      return;
    }
    const { question, options, answer, explanation } = q as Record<string, unknown>;
    if (typeof question !== 'string' || !question.trim()) problems.push(`${where}.question must be a non-empty string`);
    if (
      !Array.isArray(options) ||
      options.length < 2 ||
      options.some((o) => typeof o !== 'string' && typeof o !== 'number')
    ) {
      problems.push(`${where}.options must be a list of at least two strings`);
    } else if (typeof answer !== 'number' || !Number.isInteger(answer) || answer < 0 || answer >= options.length) {
      problems.push(`${where}.answer must be an index into options (0 to ${options.length - 1})`);
    }
    if (explanation !== undefined && typeof explanation !== 'string')
      problems.push(`${where}.explanation must be a string`);
  });
  return problems;
}
