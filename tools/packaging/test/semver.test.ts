import { describe, expect, it } from 'vitest';
import { bumpKind, parseVersion, satisfies } from '../semver.mjs';

describe('satisfies: the ranges pnpm pack writes for workspace: ranges', () => {
  it('reads ^1.2.3 as >=1.2.3 <2.0.0', () => {
    expect(satisfies('1.2.3', '^1.2.3').ok).toBe(true);
    expect(satisfies('1.9.0', '^1.2.3').ok).toBe(true);
    expect(satisfies('1.2.2', '^1.2.3').ok).toBe(false);
    expect(satisfies('2.0.0', '^1.2.3').ok).toBe(false);
  });

  it('reads ^0.x carets the way npm does: ^0.2.0 stops at 0.3.0, ^0.0.0 admits only 0.0.0', () => {
    expect(satisfies('0.2.9', '^0.2.0').ok).toBe(true);
    expect(satisfies('0.3.0', '^0.2.0').ok).toBe(false);
    expect(satisfies('0.0.0', '^0.0.0').ok).toBe(true);
    expect(satisfies('0.0.1', '^0.0.0').ok).toBe(false);
    expect(satisfies('1.0.0', '^0.0.0').ok).toBe(false);
  });

  it('reads ~1.2.3 as >=1.2.3 <1.3.0 and a bare version as exact', () => {
    expect(satisfies('1.2.9', '~1.2.3').ok).toBe(true);
    expect(satisfies('1.3.0', '~1.2.3').ok).toBe(false);
    expect(satisfies('1.0.0', '1.0.0').ok).toBe(true);
    expect(satisfies('1.0.1', '1.0.0').ok).toBe(false);
  });

  it('keeps pre-releases of other releases out of a caret range', () => {
    expect(satisfies('2.0.0-rc.1', '^1.0.0').ok).toBe(false);
    expect(satisfies('1.3.0-rc.1', '^1.2.0').ok).toBe(false);
  });

  it('refuses what it does not understand instead of guessing', () => {
    const r = satisfies('1.0.0', 'workspace:^');
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('workspace:^');
    expect(satisfies('1.0.0', '>=1 <3').ok).toBe(false);
  });
});

describe('parseVersion and bumpKind', () => {
  it('parses X.Y.Z and rejects ranges and leading zeros', () => {
    expect(parseVersion('1.20.3')).toEqual({ major: 1, minor: 20, patch: 3, pre: null });
    expect(parseVersion('^1.0.0')).toBeNull();
    expect(parseVersion('01.0.0')).toBeNull();
  });

  it('names the change between two versions', () => {
    expect(bumpKind('0.0.0', '1.0.0')).toBe('major');
    expect(bumpKind('1.2.3', '1.3.0')).toBe('minor');
    expect(bumpKind('1.2.3', '1.2.4')).toBe('patch');
    expect(bumpKind('1.2.3', '1.2.3')).toBe('none');
    expect(bumpKind('1.2.3', 'x')).toBe('invalid');
  });
});
