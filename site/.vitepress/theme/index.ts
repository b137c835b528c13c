// The default VitePress theme plus the components lessons use: <Quiz />, the ```mermaid fence's diagram and
// <ApiReference /> (lesson 02's library API, drawn by Scalar).
import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import ApiReference from './ApiReference.vue';
import MermaidDiagram from './MermaidDiagram.vue';
import Quiz from './Quiz.vue';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('ApiReference', ApiReference);
    app.component('MermaidDiagram', MermaidDiagram);
    app.component('Quiz', Quiz);
  },
} satisfies Theme;
