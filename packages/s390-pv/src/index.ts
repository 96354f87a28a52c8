export { detectS390Pv } from './detect.js';
export type { S390Machine } from './machine.js';
export {
  PROT_VIRT_GUEST,
  PROT_VIRT_GUEST_SINCE,
  readS390Machine,
  S390_CPUINFO_FIELDS,
  S390_CVM_PROCEDURE,
  S390_MACHINE_READER,
  S390_VENDOR,
  s390Cpuinfo,
  s390Machine,
  systemdCvmS390,
  UV_DEVICE,
  UV_DIR,
} from './machine.js';
export { s390PvBackend } from './plugin.js';
export {
  S390_PAGE_SIZE,
  S390_PV_QUIRKS,
  UVC_CMD_REMOVE_SHARED_ACCESS,
  UVC_CMD_SET_SHARED_ACCESS,
} from './quirks.js';
export type { S390PvParams } from './type.js';
export {
  createS390PvType,
  S390_PV_ATTRIBUTES,
  S390_PV_CVM,
  S390_PV_ID,
  S390_PV_MASK_NAME,
  S390_PV_PARAMS,
  S390_PV_TEE,
  S390_PV_TITLE,
} from './type.js';
