export {
  KVM_BACKENDS,
  KVM_CPUID_SIGNATURE,
  KVM_SIGNATURE,
  kvmPlugin,
  kvmPlugin as default,
} from './plugin.js';
