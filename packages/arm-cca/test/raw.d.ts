// Vite's `?raw` suffix imports a file's text; the tests read the README this way (no node types).
declare module '*.md?raw' {
  const text: string;
  export default text;
}
