import type { TestProject } from 'vitest/node';
import { startEmulator } from 'vsp-emulator';

declare module 'vitest' {
  export interface ProvidedContext { vspUrl: string }
}

/** Starts one emulator (in memory, free ports, jobs complete at once) for every test file, and stops it at the end. */
export default async function setup(project: TestProject) {
  const emulator = await startEmulator({ timing: 'instant' });
  project.provide('vspUrl', emulator.url);
  return () => emulator.close();
}
