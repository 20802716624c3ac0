import { buildApp, type App } from './app.ts'
import { installQueueSchema } from './modules/jobs/jobs.runner.ts'
import type { Runtime } from './platform/runtime.ts'

export interface RunningServer {
  app: App
  port: number
  close(): Promise<void>
}

export async function startServer(runtime: Runtime): Promise<RunningServer> {
  const { config } = runtime.services
  // Routes queue jobs in their own transactions (pipeline runs): the queue must exist even
  // before any worker has started.
  await installQueueSchema(runtime.ownerUrl)
  const app = await buildApp(runtime.services)
  await app.listen({ port: config.port, host: config.host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  return { app, port, close: () => app.close() }
}
