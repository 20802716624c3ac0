import type { FastifyInstance } from 'fastify'
import type { Services } from '../../platform/services.ts'

/**
 * Embed pages (/embed/<signed token>, served by the SPA) exist to be shown in another site's
 * iframe, which the default headers forbid (X-Frame-Options DENY, frame-ancestors 'none').
 * This relaxes exactly those two for that path, to the sites the setting
 * sharing.embed_frame_ancestors names (default: any); every other page stays unframeable.
 * The page is read-only and its URL is the credential, so framing it risks no clickjacking of
 * an action. Registered after the security headers: onSend hooks run in registration order.
 */
export function allowEmbedFraming(app: FastifyInstance, services: Services): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || !request.url.startsWith('/embed/')) return payload
    const csp = reply.getHeader('content-security-policy')
    if (typeof csp !== 'string') return payload
    const configured = (await services.settings.string('sharing.embed_frame_ancestors', '*')).trim()
    // Only what a source list may hold: a bad value must not inject other directives.
    const ancestors = /^[A-Za-z0-9*:/.\-' ]{1,1000}$/.test(configured) ? configured : "'none'"
    reply.removeHeader('x-frame-options')
    reply.header('content-security-policy', csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors}`))
    return payload
  })
}
