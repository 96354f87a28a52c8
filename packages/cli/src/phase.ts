/**
 * What a command is doing, for the watchdog of a command run with `--plugin` modules (in a worker,
 * see `isolation.ts`): when the time limit passes, its message names the phase it was stuck in.
 */
export type Phase =
  | { readonly kind: 'load'; readonly plugin: string }
  | { readonly kind: 'input'; readonly input: string }
  | { readonly kind: 'run' };

let reporter: ((phase: Phase) => void) | null = null;

/** Sets where {@link reportPhase} sends phases (the worker posts them to the main thread). */
export function setPhaseReporter(report: ((phase: Phase) => void) | null): void {
  reporter = report;
}

/** Reports the phase a command enters; nothing happens outside a worker. */
export function reportPhase(phase: Phase): void {
  reporter?.(phase);
}
