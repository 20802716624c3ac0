import type pino from 'pino'
import type { Runtime } from './platform/runtime.ts'
import { startJobRunner } from './modules/jobs/jobs.runner.ts'

export interface RunningWorker {
  stop(): Promise<void>
}

export async function startWorker(runtime: Runtime, logger: pino.Logger): Promise<RunningWorker> {
  return startJobRunner(runtime, logger)
}
