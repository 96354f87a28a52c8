export {
  COVG_SHARE_MEMORY,
  COVG_UNSHARE_MEMORY,
  createCoveType,
  riscvCoveBackend,
  SBI_EXT_COVG,
  SBI_PROBE_FACT,
} from './plugin.js';
