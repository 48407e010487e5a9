import {
  CreateContactBody, ID_PATTERN, Origin, Reason, WaggleError, docName, readPhonebook, writeContact,
  type Contact, type ContactId, type CreateContactResponse, type Principal,
} from '@waggle/schema'
import type { Context, Hono } from 'hono'
import { isDeepStrictEqual } from 'node:util'
import { RateLimiter } from '../auth/RateLimiter.ts'
import { jsonBody, sessionRateKey } from '../http/validate.ts'
import type { DocHub } from '../relay/DocHub.ts'

export interface ContactRoutesDeps {
  hub: DocHub
  signedIn: (c: Context) => Promise<Principal>
  /** Contacts one session may create per `windowMs`. */
  contactsPerWindow: number
  windowMs: number
  now: () => number
}

/**
 * `PUT /api/contacts/:id` (README "Contacts"): a new contact in the workspace phonebook. The
 * id is made on the device, so a retry after a lost answer is harmless: the same contact again
 * answers 200, other content under that id 409. Register before the `/api/*` catch-all.
 */
export function mountContactRoutes(app: Hono, deps: ContactRoutesDeps): void {
  const limiter = new RateLimiter(deps.contactsPerWindow, deps.windowMs, deps.now)

  app.put('/api/contacts/:id', async (c) => {
    const who = await deps.signedIn(c)
    // The phonebook is the workspace's own address book; external people only read it.
    if (who.role === 'guest') throw new WaggleError(Reason.forbidden, 'Guests cannot add contacts to the phonebook')
    const id = c.req.param('id')
    if (!ID_PATTERN.test(id)) throw new WaggleError(Reason.badRequest, 'id: Not an id (letters, digits, _ and -, at most 64)')
    if (!limiter.take(sessionRateKey(c))) {
      throw new WaggleError(Reason.rateLimited, 'Too many contacts created in a short time; wait a minute and try again')
    }
    const contact = storedContact(await jsonBody(c, CreateContactBody))
    const found: { existing: Contact | null } = { existing: null }
    // Checked and written in the directory's write queue, so two requests for one id cannot
    // both write. The relay writes, like the seed and guest lists, so every connected device
    // gets the contact at once; a change that finds the id taken writes nothing.
    await deps.hub.change(docName.directory(who.workspaceId), (doc) => {
      found.existing = readPhonebook(doc).get(id as ContactId) ?? null
      if (found.existing === null) writeContact(doc, id as ContactId, contact, Origin.server)
    }, Origin.server)
    if (found.existing !== null && !isDeepStrictEqual(storedContact(found.existing), contact)) {
      throw new WaggleError(Reason.conflict, 'Another contact already has this id; create it with a new id')
    }
    const body: CreateContactResponse = { id }
    return c.json(body)
  })
}

/** The stored form (a phonebook `Contact`): trimmed by validation, empty optional fields left out, so equal contacts compare equal. */
function storedContact(body: Contact): Contact {
  const out: Contact = { name: body.name, phones: [...body.phones] }
  if (body.email !== undefined && body.email.length > 0) out.email = body.email
  if (body.company !== undefined && body.company.length > 0) out.company = body.company
  return out
}
