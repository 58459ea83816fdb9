/**
 * The registrar environment of one interop test file: started before the file's tests, stopped after them (also
 * when a test failed or the start itself failed half-way). Kept apart from environment.ts, which the benchmarks
 * use without vitest.
 */
import { afterAll, beforeAll } from 'vitest';
import { startRegistrarEnvironment, type ProxyOptions, type RegistrarEnvironment, type RegistrarOptions } from './environment.js';

export interface RegistrarSetup {
  /** The running environment; read it inside tests and hooks only. */
  readonly environment: RegistrarEnvironment;
  /** The last 40 lines of every Kamailio log, for assertion messages. */
  logs(): string;
}

export function useRegistrarEnvironment(options: RegistrarOptions, proxyOptions?: ProxyOptions): RegistrarSetup {
  let environment: RegistrarEnvironment | undefined;
  beforeAll(async () => {
    environment = await startRegistrarEnvironment(options, proxyOptions);
  });
  afterAll(async () => {
    await environment?.close();
  });
  return {
    get environment() {
      if (!environment) throw new Error(`registrar environment ${options.name} is not running (read it inside a test)`);
      return environment;
    },
    logs: () => environment?.logs(40) ?? '',
  };
}
