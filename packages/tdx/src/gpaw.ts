import {
  CocoError,
  describeValue,
  type Evidence,
  EvidenceBuilder,
  type FactKind,
  type JsonValue,
  type Sourced,
} from '@coco/core';

/** The guest physical-address widths TDG.VP.INFO reports (GPAW 48 or 52: the shared bit is 47 or 51). */
const WIDTHS = [48, 52];

/**
 * The TDX guest physical-address width (`tdx.gpaw`, one fact with key `""`), as TDG.VP.INFO
 * reports it. Format 1 held it as `"tdx": {"gpaw": 48}`.
 */
export const GPAW_FACT: FactKind<number> = Object.freeze({
  id: 'tdx.gpaw',
  title: 'the TDX guest physical-address width',
  decode(json: JsonValue, key: string): number {
    if (key !== '') throw new Error(`key ${describeValue(key)} is not ""`);
    // Any width TDG.VP.INFO could report is kept; detection warns about one that is not 48 or 52.
    if (typeof json !== 'number' || !Number.isInteger(json) || json < 1 || json > 64)
      throw new Error(`${describeValue(json)} is not a width from 1 to 64`);
    return json;
  },
  encode: (gpaw: number): JsonValue => gpaw,
  describeKey: () => 'tdx.gpaw',
  legacy: {
    key: 'tdx',
    *read(json: JsonValue): Iterable<readonly [string, number]> {
      const fail = (location: string, problem: string, fix: string) =>
        new CocoError('SNAPSHOT_INVALID', problem, { input: 'snapshot', location, fix });
      if (json === null || typeof json !== 'object' || Array.isArray(json))
        throw fail(
          '$.tdx',
          `expected an object, found ${describeValue(json)}`,
          'give {"gpaw": 48} or {"gpaw": 52}',
        );
      for (const key of Object.keys(json))
        if (key !== 'gpaw') throw fail(`$.tdx.${key}`, `unknown key ${JSON.stringify(key)}`, 'use only gpaw');
      if (!Object.hasOwn(json, 'gpaw')) return;
      const gpaw = (json as Record<string, JsonValue>).gpaw;
      if (typeof gpaw !== 'number' || !WIDTHS.includes(gpaw))
        throw fail(
          '$.tdx.gpaw',
          `gpaw ${describeValue(gpaw)} is not 48 or 52`,
          'give the GPAW TDG.VP.INFO reports: 48 or 52',
        );
      yield ['', gpaw];
    },
    write: (facts: ReadonlyMap<string, number>): JsonValue => {
      const gpaw = facts.get('');
      return gpaw === undefined ? {} : { gpaw };
    },
  },
});

/** The GPAW in the evidence, with its source. */
export function gpawOf(evidence: Evidence): Sourced<number> | undefined {
  return evidence.fact(GPAW_FACT);
}

/** Evidence holding a TDX guest physical-address width (48 or 52), as TDG.VP.INFO reports it. */
export function gpawEvidence(gpaw: number, source = '--tdx-gpaw'): Evidence {
  if (gpaw !== 48 && gpaw !== 52) {
    throw new CocoError('PARAMETER_INVALID', `GPAW ${String(gpaw)} is not 48 or 52`, {
      input: source,
      fix: 'give the GPAW that TDG.VP.INFO reports: 48 or 52',
    });
  }
  return new EvidenceBuilder().addFact(GPAW_FACT, '', gpaw, source).build();
}
