// Vite's `?raw` suffix imports a file's text; the tests read the README this way (no node types).
declare module '*.md?raw' {
  const text: string;
  export default text;
}

// Vite's import.meta.glob: the roots test reads its fake trees this way (no node types).
interface ImportMeta {
  glob<T = unknown>(
    pattern: string,
    options: { readonly query: '?raw'; readonly import: 'default'; readonly eager: true },
  ): Record<string, T>;
}
