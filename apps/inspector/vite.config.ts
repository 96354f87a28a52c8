import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/**
 * Browsers refuse module scripts and CORS-mode stylesheets from `file://`, so a page opened by
 * double-clicking `dist/index.html` would stay blank. The page is built as one classic script
 * (IIFE, no code splitting) and this plugin turns Vite's `<script type="module" crossorigin>`
 * into `<script defer>` and drops `crossorigin` from the stylesheet link.
 */
function classicScript(): Plugin {
  return {
    name: 'coco-inspector-classic-script',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace(/ type="module"/g, ' defer').replace(/ crossorigin/g, ''),
    },
  };
}

// Relative asset paths (`base: './'`) so the built folder works from anywhere, including file://;
// the @coco packages are bundled from their TypeScript sources, like the CLI bundles them.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@coco/source', ...defaultClientConditions] },
  plugins: [classicScript()],
  build: {
    target: 'es2022',
    modulePreload: false,
    reportCompressedSize: true,
    // One stylesheet file, linked from the page: the IIFE build would otherwise inject a <style>
    // element from the script, which the page's Content-Security-Policy (style-src 'self') refuses.
    cssCodeSplit: false,
    rollupOptions: { output: { format: 'iife' } },
  },
});
