/** A parsed `X.Y.Z[-pre]` version. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string | null;
}
export function parseVersion(text: string): Version | null;
export function satisfies(version: string, range: string): { ok: boolean; reason?: string };
export function bumpKind(before: string, after: string): 'major' | 'minor' | 'patch' | 'none' | 'invalid';
