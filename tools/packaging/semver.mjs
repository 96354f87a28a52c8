// The small part of semver the release checks need: parse `X.Y.Z[-pre]`, and decide whether a
// version satisfies the range forms `pnpm pack` writes for workspace ranges (`^X.Y.Z` from
// `workspace:^`, `~X.Y.Z` from `workspace:~`, `X.Y.Z` from `workspace:*`). No dependency, no guessing:
// any other range form is reported as unsupported rather than half-understood.

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** `{ major, minor, patch, pre }` for a valid version, else `null`. */
export function parseVersion(text) {
  const m = VERSION.exec(String(text));
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? null };
}

function compare(a, b) {
  for (const k of ['major', 'minor', 'patch']) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.pre === b.pre) return 0;
  if (a.pre === null) return 1;
  if (b.pre === null) return -1;
  return a.pre < b.pre ? -1 : 1;
}

/**
 * Whether `version` satisfies `range`; `{ ok, reason }`. Pre-release versions satisfy a range only
 * through an exact match or a range whose base is the same release (npm's rule).
 */
export function satisfies(version, range) {
  const v = parseVersion(version);
  if (!v) return { ok: false, reason: `${version} is not a version` };
  const m = /^([\^~]?)(.+)$/.exec(range.trim());
  const op = m?.[1] ?? '';
  const base = parseVersion(m?.[2] ?? '');
  if (!base) return { ok: false, reason: `range ${JSON.stringify(range)} is not ^X.Y.Z, ~X.Y.Z or X.Y.Z` };
  if (op === '')
    return compare(v, base) === 0 ? { ok: true } : { ok: false, reason: `${version} != ${range}` };
  if (compare(v, base) < 0) return { ok: false, reason: `${version} < ${m[2]}` };
  if (v.pre !== null && !(v.major === base.major && v.minor === base.minor && v.patch === base.patch)) {
    return { ok: false, reason: `pre-release ${version} outside ${range}` };
  }
  let upper;
  if (op === '~') upper = { major: base.major, minor: base.minor + 1, patch: 0, pre: null };
  else if (base.major > 0) upper = { major: base.major + 1, minor: 0, patch: 0, pre: null };
  else if (base.minor > 0) upper = { major: 0, minor: base.minor + 1, patch: 0, pre: null };
  else upper = { major: 0, minor: 0, patch: base.patch + 1, pre: null };
  // `^1.0.0` excludes 2.0.0-rc.1 as npm does: pre-releases of the upper bound are below it by
  // ordering but were refused above.
  return compare(v, upper) < 0 ? { ok: true } : { ok: false, reason: `${version} is outside ${range}` };
}

/** The kind of change from `before` to `after`: `major`, `minor`, `patch`, `none` (or `invalid`). */
export function bumpKind(before, after) {
  const a = parseVersion(before);
  const b = parseVersion(after);
  if (!a || !b) return 'invalid';
  if (b.major !== a.major) return 'major';
  if (b.minor !== a.minor) return 'minor';
  if (b.patch !== a.patch || b.pre !== a.pre) return 'patch';
  return 'none';
}
