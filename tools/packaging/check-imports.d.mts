/** A package to check: its name, directory and package.json. */
export interface PackageToCheck {
  name: string;
  dir: string;
  json: Record<string, unknown>;
}
/** One import that breaks a boundary rule. */
export interface ImportViolation {
  file: string;
  line: number;
  specifier: string;
  problem: string;
}
export const CORE_ONLY: ReadonlySet<string>;
export const NEUTRAL: ReadonlySet<string>;
export const EVIDENCE: ReadonlySet<string>;
export function packageOf(specifier: string): string;
export function checkPackage(pkg: PackageToCheck, root: string, imported?: Set<string>): ImportViolation[];
export function checkImports(root: string): {
  checked: string[];
  violations: ImportViolation[];
  imports: Map<string, string[]>;
};
