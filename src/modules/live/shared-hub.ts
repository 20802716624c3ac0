import type { Services } from '../../platform/services.ts'
import { LiveHub } from './live.hub.ts'

const hubs = new WeakMap<Services, LiveHub>()

/**
 * The process's one LISTEN connection for a set of services, shared by the live streams and
 * the dashboard data cache; whoever registers it first stops it when the app closes.
 */
export function sharedLiveHub(services: Services): LiveHub {
  let hub = hubs.get(services)
  if (!hub) {
    hub = new LiveHub(services.pool.options)
    hubs.set(services, hub)
  }
  return hub
}
