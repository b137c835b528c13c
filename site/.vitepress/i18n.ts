// Every word the site itself puts on screen, once per edition: the English site at `/` and the Ukrainian one at
// `/uk/` (site/README.md, "Two editions"). The config reads the theme's labels and the sidebar's group names from
// here, and Quiz.vue its buttons and verdicts, picked by the page's language (`useData().lang`).
// No Node imports: the browser bundle uses this file too.

/** The two editions: the key is VitePress's locale key (`root` is the English site at `/`). */
export const EDITIONS = {
  root: { lang: 'en', label: 'English', dir: '' },
  uk: { lang: 'uk', label: 'Українська', dir: 'uk' },
} as const;

export type EditionKey = keyof typeof EDITIONS;
export type Lang = (typeof EDITIONS)[EditionKey]['lang'];

interface QuizWords {
  malformed: string;
  /** "This page has a <Quiz /> but no `quiz` in its front matter", split around the word `quiz`. */
  noQuiz: [before: string, after: string];
  title: (questions: number) => string;
  score: (right: number) => string;
  correctMark: string;
  wrongMark: string;
  showAnswer: string;
  answerShown: string;
  right: string;
  notQuite: string;
  answerLabel: string;
  theAnswerIs: (letter: string) => string;
  /** Option letters, in order (Ukrainian tests use А, Б, В, Г …). */
  letters: string;
}

interface Words {
  siteDescription: string;
  nav: { home: string; startHere: string };
  sidebar: { lessons: string; caseStudies: string; reference: string; moreLabs: string; labPrefix: string };
  /** A lab title that already says it is a lab ("Lab 03 — …") gets no prefix in the sidebar. */
  labTitled: RegExp;
  theme: {
    outlineLabel: string;
    prev: string;
    next: string;
    darkModeSwitchLabel: string;
    lightModeSwitchTitle: string;
    darkModeSwitchTitle: string;
    sidebarMenuLabel: string;
    returnToTopLabel: string;
    langMenuLabel: string;
    skipToContentLabel: string;
    notFound: { code: string; title: string; quote: string; linkLabel: string; linkText: string };
  };
  /** VitePress local search's `translations` (the default English ones need no entry). */
  search?: {
    button: { buttonText: string; buttonAriaLabel: string };
    modal: {
      displayDetails: string;
      resetButtonTitle: string;
      backButtonTitle: string;
      noResultsText: string;
      footer: {
        selectText: string;
        selectKeyAriaLabel: string;
        navigateText: string;
        navigateUpKeyAriaLabel: string;
        navigateDownKeyAriaLabel: string;
        closeText: string;
        closeKeyAriaLabel: string;
      };
    };
  };
  quiz: QuizWords;
}

const en: Words = {
  siteDescription: 'A hands-on course on systems integration and APIs, in TypeScript.',
  nav: { home: 'Home', startHere: 'Start here' },
  sidebar: {
    lessons: 'Lessons',
    caseStudies: 'Case studies',
    reference: 'Reference',
    moreLabs: 'More labs',
    labPrefix: 'Lab: ',
  },
  labTitled: /^lab\b/i,
  theme: {
    outlineLabel: 'On this page',
    prev: 'Previous',
    next: 'Next',
    darkModeSwitchLabel: 'Appearance',
    lightModeSwitchTitle: 'Switch to light theme',
    darkModeSwitchTitle: 'Switch to dark theme',
    sidebarMenuLabel: 'Menu',
    returnToTopLabel: 'Return to top',
    langMenuLabel: 'Change language',
    skipToContentLabel: 'Skip to content',
    notFound: {
      code: '404',
      title: 'PAGE NOT FOUND',
      quote: 'The link may be out of date, or the page has moved. Start again from the home page, or use search.',
      linkLabel: 'go to the home page',
      linkText: 'Take me home',
    },
  },
  quiz: {
    malformed: "This page's quiz is malformed:",
    noQuiz: ['This page has a <Quiz /> but no ', ' in its front matter.'],
    title: (n) => `Quiz: ${n} ${n === 1 ? 'question' : 'questions'}`,
    score: (n) => `(${n} right so far)`,
    correctMark: '✓ correct',
    wrongMark: '✗ not this one',
    showAnswer: 'Show answer',
    answerShown: 'Answer shown',
    right: 'Right.',
    notQuite: 'Not quite.',
    answerLabel: 'Answer:',
    theAnswerIs: (letter) => `The answer is ${letter}.`,
    letters: 'ABCDEFGHIJKL',
  },
};

// "1 запитання, 3 запитання, 5 запитань": Ukrainian plural forms by CLDR's rules.
const ukPlural = new Intl.PluralRules('uk');

const uk: Words = {
  siteDescription: 'Практичний курс з інтеграції систем та API на TypeScript.',
  nav: { home: 'Головна', startHere: 'З чого почати' },
  sidebar: {
    lessons: 'Уроки',
    caseStudies: 'Практичні кейси',
    reference: 'Довідка',
    moreLabs: 'Інші лабораторні',
    labPrefix: 'Лабораторна: ',
  },
  labTitled: /^(lab|лаб)/i,
  theme: {
    outlineLabel: 'На цій сторінці',
    prev: 'Попередня сторінка',
    next: 'Наступна сторінка',
    darkModeSwitchLabel: 'Оформлення',
    lightModeSwitchTitle: 'Увімкнути світлу тему',
    darkModeSwitchTitle: 'Увімкнути темну тему',
    sidebarMenuLabel: 'Меню',
    returnToTopLabel: 'Повернутися нагору',
    langMenuLabel: 'Змінити мову',
    skipToContentLabel: 'Перейти до змісту',
    notFound: {
      code: '404',
      title: 'СТОРІНКУ НЕ ЗНАЙДЕНО',
      quote:
        'Можливо, посилання застаріло або сторінку перенесли. Почніть знову з головної сторінки або скористайтеся пошуком.',
      linkLabel: 'перейти на головну сторінку',
      linkText: 'На головну',
    },
  },
  search: {
    button: { buttonText: 'Пошук', buttonAriaLabel: 'Пошук' },
    modal: {
      displayDetails: 'Показати докладний список',
      resetButtonTitle: 'Очистити запит',
      backButtonTitle: 'Закрити пошук',
      noResultsText: 'Нічого не знайдено за запитом',
      footer: {
        selectText: 'відкрити',
        selectKeyAriaLabel: 'клавіша Enter',
        navigateText: 'перейти',
        navigateUpKeyAriaLabel: 'стрілка вгору',
        navigateDownKeyAriaLabel: 'стрілка вниз',
        closeText: 'закрити',
        closeKeyAriaLabel: 'клавіша Escape',
      },
    },
  },
  quiz: {
    malformed: 'Тест на цій сторінці записано з помилками:',
    noQuiz: ['На цій сторінці є <Quiz />, але в її front matter немає поля ', '.'],
    title: (n) => `Тест: ${n} ${ukPlural.select(n) === 'many' ? 'запитань' : 'запитання'}`,
    score: (n) => `(правильних відповідей: ${n})`,
    correctMark: '✓ правильно',
    wrongMark: '✗ не ця',
    showAnswer: 'Показати відповідь',
    answerShown: 'Відповідь показано',
    right: 'Правильно.',
    notQuite: 'Не зовсім.',
    answerLabel: 'Відповідь:',
    theAnswerIs: (letter) => `Правильна відповідь — ${letter}.`,
    letters: 'АБВГДЕЄЖЗИІЇ',
  },
};

const WORDS: Record<Lang, Words> = { en, uk };

/** The words of an edition, by its language (`en`, `uk`); anything else gets English. */
export function wordsFor(lang: string): Words {
  return WORDS[lang as Lang] ?? en;
}
