// The default VitePress theme plus the two components lessons use: <Quiz /> and the ```mermaid fence's diagram.
import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import MermaidDiagram from './MermaidDiagram.vue';
import Quiz from './Quiz.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('MermaidDiagram', MermaidDiagram);
    app.component('Quiz', Quiz);
  },
} satisfies Theme;
