// Lets `tsc --noEmit` accept the theme's .vue imports; Vite compiles the components themselves.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
