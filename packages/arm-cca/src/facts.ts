import type { FactKind, JsonValue } from '@coco/core';

/** The realm's IPA width limits this backend accepts (`ipaBits`). */
export const IPA_BITS_MIN = 32;
export const IPA_BITS_MAX = 52;

/** The one key of {@link REALM_CONFIG_FACT} this backend reads. */
export const IPA_BITS_KEY = 'ipa-bits';

/**
 * Facts about the realm's configuration, as `RSI_REALM_CONFIG` returns it (`struct realm_config`,
 * arch/arm64/include/asm/rsi_smc.h): key `ipa-bits`, the IPA width. The kernel never prints it and no
 * file shows it, so no probe reads it: a snapshot may carry it from the realm's launch configuration
 * (the VMM's realm IPA size), and detection then knows the shared bit.
 */
export const REALM_CONFIG_FACT: FactKind<number> = Object.freeze({
  id: 'arm-cca.realm-config',
  title: 'Arm CCA realm configuration',
  decode(json: JsonValue, key: string): number {
    if (key !== IPA_BITS_KEY) throw new Error(`unknown key ${JSON.stringify(key)} (only ${IPA_BITS_KEY})`);
    if (typeof json !== 'number' || !Number.isInteger(json) || json < IPA_BITS_MIN || json > IPA_BITS_MAX)
      throw new Error(`ipa-bits must be an integer from ${IPA_BITS_MIN} to ${IPA_BITS_MAX}`);
    return json;
  },
  encode(value: number): JsonValue {
    return value;
  },
  describeKey(key: string): string {
    return `realm config ${key}`;
  },
});
