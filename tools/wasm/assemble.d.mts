/** The TypeScript module holding the assembled bytes of packages/core/wasm/marking.wat. */
export function assemble(): Promise<string>;
