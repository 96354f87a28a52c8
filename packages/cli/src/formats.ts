import type { DetectionJson } from '@coco/core';
import type { AttrsColumn } from './render/attrs.js';

/**
 * Where the JSON Schemas of coco's documents are published: the `schemas/` directory of the
 * repository's main branch, served as JSON. A document names its schema in its `$schema` key; the
 * schema's `$id` is the same URL. The format's major is in the file name, so a URL never changes
 * meaning: within `coco-detection/1` fields are only ever added.
 */
export const SCHEMA_BASE_URL = 'https://raw.githubusercontent.com/coco-project/coco/main/schemas/';

// Written out (not built from SCHEMA_BASE_URL) so that each is a string literal type.
/** The `$schema` URL of the `coco-attrs/1` document. */
export const ATTRS_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-attrs-1.schema.json';
/** The `$schema` URL of the `coco-pte/1` document. */
export const PTE_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-pte-1.schema.json';
/** The `$schema` URL of the `coco-examples/1` document. */
export const EXAMPLES_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-examples-1.schema.json';
/** The `$schema` URL of each `coco-fleet/1` record. */
export const FLEET_SCHEMA_URL =
  'https://raw.githubusercontent.com/coco-project/coco/main/schemas/coco-fleet-1.schema.json';

/** One attribute of the `coco-attrs/1` document. */
export interface AttrsAttributeJson {
  readonly id: string;
  /** The kernel's `CC_ATTR_*` name. */
  readonly kernelName: string;
  readonly description: string;
}

/** The `coco-attrs/1` document `coco attrs --json` prints. */
export interface AttrsJson {
  readonly $schema: typeof ATTRS_SCHEMA_URL;
  readonly format: 'coco-attrs/1';
  readonly attributes: readonly AttrsAttributeJson[];
  /** One column per registered type and variant. */
  readonly types: readonly AttrsColumn[];
}

/** The `coco-pte/1` document `coco pte --json` prints. */
export interface PteJson {
  readonly $schema: typeof PTE_SCHEMA_URL;
  readonly format: 'coco-pte/1';
  /**
   * The entry as given, as 0x-prefixed lower-case hex.
   * @pattern ^0x[0-9a-f]{1,16}$
   */
  readonly input: string;
  /**
   * The entry after marking (the input when decoding), as 0x-prefixed lower-case hex.
   * @pattern ^0x[0-9a-f]{1,16}$
   */
  readonly output: string;
  /** Whether the output is encrypted (private) under the type. */
  readonly encrypted: boolean;
  /**
   * The bit that carries the encryption state.
   * @minimum 0
   * @maximum 63
   */
  readonly maskBit: number;
  readonly encryptedWhen: 'set' | 'clear';
}

/** One bundled example in the `coco-examples/1` document. */
export interface ExampleJson {
  /** The name `coco detect --example NAME` takes. */
  readonly name: string;
  /** One line: what machine this is. */
  readonly description: string;
  /** Where each value comes from. */
  readonly sources: readonly string[];
}

/** The `coco-examples/1` document `coco examples --json` prints. */
export interface ExamplesJson {
  readonly $schema: typeof EXAMPLES_SCHEMA_URL;
  readonly format: 'coco-examples/1';
  readonly examples: readonly ExampleJson[];
}

/** Which machine a `coco-fleet/1` record is about. */
export interface FleetMachineJson {
  /**
   * A name for people: the snapshot's host name, else the file name without `.json`, or the
   * support bundle's directory name.
   */
  readonly name: string;
  /** The host name the snapshot recorded. */
  readonly hostname?: string;
  /** When the snapshot was taken, as the snapshot recorded it. */
  readonly capturedAt?: string;
  /** The coco version that took the snapshot. */
  readonly cocoVersion?: string;
}

/** Why a machine of a fleet could not be read or decided. */
export interface FleetErrorJson {
  /** A stable error code (docs/errors.md): `FILE_NOT_FOUND`, `SNAPSHOT_INVALID`, ... */
  readonly code: string;
  /** One line: what was wrong, where, and the fix. */
  readonly message: string;
}

/** A `coco-fleet/1` record for a machine whose evidence was read: its detection. */
export interface FleetDetectedRecordJson {
  readonly $schema: typeof FLEET_SCHEMA_URL;
  readonly format: 'coco-fleet/1';
  /** The snapshot file or support-bundle directory, as found from the paths given. */
  readonly source: string;
  readonly machine: FleetMachineJson;
  /** The `coco-detection/1` document, as `coco detect --snapshot SOURCE --json` prints it. */
  readonly detection: DetectionJson;
}

/** A `coco-fleet/1` record for an input that could not be read, parsed or decided. */
export interface FleetErrorRecordJson {
  readonly $schema: typeof FLEET_SCHEMA_URL;
  readonly format: 'coco-fleet/1';
  readonly source: string;
  readonly machine: FleetMachineJson;
  readonly error: FleetErrorJson;
}

/** One line of `coco fleet`'s NDJSON output: one machine. */
export type FleetRecordJson = FleetDetectedRecordJson | FleetErrorRecordJson;
