export { detectPpcPef } from './detect.js';
export type { PpcMachine } from './machine.js';
export {
  POWERNV,
  PPC_CPUINFO_FIELDS,
  PPC64_CVM_PROCEDURE,
  PPC64_MACHINE_READER,
  PSERIES,
  ppcCpuinfo,
  ppcMachine,
  readPpc64Machine,
  SVM_FILE,
  systemdCvmPpc64,
} from './machine.js';
export { ppcPefBackend } from './plugin.js';
export {
  PPC_PAGE_SIZES,
  PPC_PEF_QUIRKS,
  UV_SHARE_PAGE,
  UV_UNSHARE_ALL_PAGES,
  UV_UNSHARE_PAGE,
} from './quirks.js';
export type { PpcPefParams } from './type.js';
export {
  createPpcPefType,
  PPC_PEF_ATTRIBUTES,
  PPC_PEF_CVM,
  PPC_PEF_CVM_NOTE,
  PPC_PEF_ID,
  PPC_PEF_MASK_NAME,
  PPC_PEF_PARAMS,
  PPC_PEF_TITLE,
} from './type.js';
