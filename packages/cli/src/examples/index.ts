import { armCcaRealm } from './arm-cca-realm.js';
import { azureSnpParavisor } from './azure-snp-paravisor.js';
import { azureTdxNoParavisor } from './azure-tdx-no-paravisor.js';
import { azureTdxParavisor } from './azure-tdx-paravisor.js';
import type { BundledExample } from './model.js';
import { notConfidential } from './not-confidential.js';
import { powerSecureGuest } from './power-secure-guest.js';
import { s390PvGuest } from './s390-pv-guest.js';
import { sevPlain } from './sev-plain.js';
import { snpCbit51 } from './snp-cbit-51.js';

/** Every bundled example, in the order `coco examples` lists them. */
export const EXAMPLES: readonly BundledExample[] = Object.freeze([
  azureSnpParavisor,
  azureTdxParavisor,
  azureTdxNoParavisor,
  snpCbit51,
  sevPlain,
  notConfidential,
  armCcaRealm,
  s390PvGuest,
  powerSecureGuest,
]);

/** The names `coco detect --example` accepts. */
export const EXAMPLE_NAMES: readonly string[] = Object.freeze(EXAMPLES.map((e) => e.name));

/** The bundled example called `name`, if any. */
export function findExample(name: string): BundledExample | undefined {
  return EXAMPLES.find((e) => e.name === name);
}
