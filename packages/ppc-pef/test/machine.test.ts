import { describe, expect, it } from 'vitest';
import { readPpc64Machine, systemdCvmPpc64 } from '../src/index.js';
import { evidence, PSERIES_CPUINFO, SVM, X86_CPUINFO } from './evidence.js';

// systemd src/basic/confidential-virt.c: powerpc falls into the last #else ("No confidential
// virtualization detection on this architecture") and prints none, whatever svm reads.
describe('systemd-detect-virt --cvm on ppc64', () => {
  it('prints none on a secure VM too', () => {
    expect(systemdCvmPpc64(evidence({ cpuinfo: PSERIES_CPUINFO, files: { [SVM]: '1\n' } }))?.label).toBe(
      'none',
    );
    expect(systemdCvmPpc64(evidence({ files: { [SVM]: '1\n' } }))?.label).toBe('none');
  });

  it('is not the procedure of another architecture', () => {
    expect(systemdCvmPpc64(evidence({ cpuinfo: X86_CPUINFO }))).toBeNull();
    expect(systemdCvmPpc64(evidence({}))).toBeNull();
  });
});

describe('the ppc64 machine reader', () => {
  it('knows no attestation interface (mainline has no PEF coco driver)', () => {
    expect(readPpc64Machine(evidence({ cpuinfo: PSERIES_CPUINFO }))).toEqual({ attestation: [] });
    expect(readPpc64Machine(evidence({ cpuinfo: X86_CPUINFO }))).toBeNull();
  });
});
