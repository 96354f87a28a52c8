import type { DetectionJson } from '@coco/core';

/** A label value escaped for the Prometheus text format: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A `# HELP` text escaped for the Prometheus text format: backslash and newline. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

type Labels = readonly (readonly [string, string])[];

interface Family {
  readonly name: string;
  readonly help: string;
  readonly samples: readonly { readonly labels: Labels; readonly value: number }[];
}

function family({ name, help, samples }: Family): string {
  if (samples.length === 0) return '';
  let out = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} gauge\n`;
  for (const { labels, value } of samples) {
    const shown = labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
    out += `${name}${shown ? `{${shown}}` : ''} ${value}\n`;
  }
  return out;
}

/**
 * The Prometheus text exposition format (version 0.0.4) of a detection, for node_exporter's
 * textfile collector: `coco_confidential` 1 or 0, left out when coco cannot tell (then
 * `coco_decided` is 0: alert on that, or on `absent(coco_confidential)`); `coco_info` with the
 * type, variant, systemd label, hypervisor, paravisor and CoCo TEE name as labels (empty when
 * unknown); one `coco_attribute{id}` per attribute; `coco_build_info{version}`. Every series is a
 * gauge with the value 1 unless said otherwise. A family without samples is left out whole.
 */
export function renderPrometheus(detection: DetectionJson, version: string): string {
  const decided = detection.confidential !== null;
  const text = (v: string | boolean | null) => (v === null ? '' : String(v));
  return [
    family({
      name: 'coco_confidential',
      help: 'Whether this machine is a confidential guest: 1 yes, 0 no; absent when coco cannot tell.',
      samples: decided ? [{ labels: [], value: detection.confidential ? 1 : 0 }] : [],
    }),
    family({
      name: 'coco_decided',
      help: 'Whether coco decided (1), or could not tell or found conflicting evidence (0).',
      samples: [{ labels: [], value: decided ? 1 : 0 }],
    }),
    family({
      name: 'coco_info',
      help: 'What coco detected: type, variant, systemd-detect-virt --cvm label, hypervisor, paravisor, CoCo TEE name ("" when unknown).',
      samples: [
        {
          labels: [
            ['type', text(detection.type)],
            ['variant', text(detection.variant)],
            ['cvm', text(detection.cvm)],
            ['hypervisor', text(detection.hypervisor)],
            ['paravisor', text(detection.paravisor)],
            ['tee', text(detection.tee)],
          ],
          value: 1,
        },
      ],
    }),
    family({
      name: 'coco_attribute',
      help: "An attribute the kernel's cc_platform_has() answers true for the detected type.",
      samples: detection.attributes.map((id) => ({ labels: [['id', id]] as Labels, value: 1 })),
    }),
    family({
      name: 'coco_build_info',
      help: 'The version of coco that wrote these metrics.',
      samples: [{ labels: [['version', version]], value: 1 }],
    }),
  ].join('');
}
