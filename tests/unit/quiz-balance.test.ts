// The quizzes must not be answerable without reading the lesson: across the whole course, no option position holds
// more than 40 % of the right answers, and the longest option is the right one in at most half of the questions (a
// tie for longest counts as longest). The order is fixed in the files, so every reader sees the same quiz.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../../cli/paths.ts';
import { discoverCaseStudies, discoverLessons, readFrontMatter } from '../../site/.vitepress/content.ts';
import { quizProblems, type QuizQuestion } from '../../site/.vitepress/quiz.ts';

const pages = [...discoverLessons(), ...discoverCaseStudies()].map((page) => ({
  file: page.file,
  quiz: readFrontMatter(join(repoRoot, page.file)).quiz as unknown,
}));

const questions = pages.flatMap(({ file, quiz }) =>
  Array.isArray(quiz) ? (quiz as QuizQuestion[]).map((q, i) => ({ where: `${file} quiz[${i}]`, ...q })) : [],
);

const percent = (n: number) => `${((100 * n) / questions.length).toFixed(1)} %`;

describe('quizzes', () => {
  test('there are quizzes to check', () => {
    expect(questions.length).toBeGreaterThan(20);
  });

  test.each(pages.filter((p) => p.quiz !== undefined).map((p) => [p.file, p.quiz] as const))(
    '%s: every question is well formed and its answer is an index into its options',
    (_file, quiz) => {
      expect(quizProblems(quiz)).toEqual([]);
    },
  );

  test('no question repeats an option', () => {
    const repeated = questions
      .filter((q) => new Set(q.options.map((o) => String(o).trim().toLowerCase())).size !== q.options.length)
      .map((q) => q.where);
    expect(repeated, 'questions with two equal options').toEqual([]);
  });

  test('no option position holds more than 40 % of the right answers', () => {
    const byPosition = new Map<number, string[]>();
    for (const q of questions) byPosition.set(q.answer, [...(byPosition.get(q.answer) ?? []), q.where]);
    const shares = [...byPosition]
      .sort(([a], [b]) => a - b)
      .map(([position, list]) => `option ${position + 1}: ${list.length} (${percent(list.length)})`);
    for (const [, list] of byPosition) {
      expect(
        list.length / questions.length,
        `right answers by position over ${questions.length} questions: ${shares.join(', ')}`,
      ).toBeLessThanOrEqual(0.4);
    }
  });

  test('the longest option is the right one in at most half of the questions', () => {
    const longestRight = questions.filter((q) => {
      const lengths = q.options.map((o) => String(o).length);
      return lengths[q.answer] === Math.max(...lengths);
    });
    expect(
      longestRight.length / questions.length,
      `${longestRight.length} of ${questions.length} (${percent(longestRight.length)}) have the right answer as their longest option:\n${longestRight.map((q) => q.where).join('\n')}`,
    ).toBeLessThanOrEqual(0.5);
  });
});
