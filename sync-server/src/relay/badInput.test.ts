import { CloseCode, PROTOCOL_VERSION, encodeFrame } from '@waggle/schema'
import * as encoding from 'lib0/encoding'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { connectAs, demoDocs, post, texts, tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay, type RelayOptions } from '../testing/relayHarness.ts'
import { PlainSocket } from '../testing/PlainSocket.ts'
import { TestClient } from '../testing/TestClient.ts'

const doc = demoDocs.salesTeam

async function relay(options: RelayOptions = {}): Promise<Relay> {
  const r = await startRelay(options)
  onTestFinished(() => r.stop())
  return r
}

function frameOfUnknownType(): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 99)
  encoding.writeVarString(e, doc)
  return encoding.toUint8Array(e)
}

function truncatedSyncFrame(): Uint8Array {
  const whole = encodeFrame({ type: 'sync', doc, step: 'step1', data: Y.encodeStateVector(new Y.Doc()) })
  return whole.slice(0, whole.byteLength - 2)
}

function serverOnlyFrame(): Uint8Array {
  return encodeFrame({ type: 'ack', doc, seq: 1 })
}

// Fixed garbage: 0xfa 0x0d reads as frame type 1786.
const garbage = new Uint8Array([0xfa, 0x0d, 0x4d, 0x01, 0xc8, 0xff, 0x00, 0x13])

describe('malformed frames', () => {
  test.each([
    ['random bytes', () => garbage],
    ['a truncated frame', truncatedSyncFrame],
    ['an unknown frame type', frameOfUnknownType],
    ['a frame type only the relay may send', serverOnlyFrame],
    ['an empty frame', () => new Uint8Array()],
  ])('%s closes only that connection with 4400; others and /health keep working', async (_name, bytes) => {
    const r = await relay()
    const bystander = await connectAs(r, 'marco')
    const { doc: bystanderDoc } = await bystander.subscribe(doc)
    const offender = await connectAs(r, 'anna')
    await offender.subscribe(doc)

    offender.sendRaw(bytes())
    expect((await offender.closed()).code).toBe(CloseCode.malformed)

    const health = await fetch(`${r.url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ ok: true })
    const diego = await connectAs(r, 'diego')
    await diego.subscribe(doc)
    expect(await diego.write(doc, post('diego', 'still here'))).toEqual({ acked: true })
    await bystander.until(() => texts(bystanderDoc).includes('still here'), 5_000, 'the update at the bystander')
    expect(bystander.closeInfo).toBeNull()
  })

  test('a frame over maxFrameBytes closes the connection as too large', async () => {
    const r = await relay({ config: { maxFrameBytes: 16 * 1024 } })
    const client = await connectAs(r, 'anna')
    client.send({ type: 'update', doc, seq: 1, update: new Uint8Array(32 * 1024) })
    expect([CloseCode.tooLarge, 1009]).toContain((await client.closed()).code)
    expect((await fetch(`${r.url}/health`)).status).toBe(200)
  })
})

describe('malformed messages on the plain endpoint', () => {
  test('an unknown y-websocket message type closes that socket with 4400', async () => {
    const r = await relay()
    const socket = new PlainSocket(`${r.wsBase}/sync/${doc}?token=${await tokenFor(r.url, 'anna')}`)
    onTestFinished(() => socket.close())
    await socket.opened()
    socket.sendRaw(new Uint8Array([99, 0]))
    expect((await socket.closed()).code).toBe(CloseCode.malformed)
    expect((await fetch(`${r.url}/health`)).status).toBe(200)
  })
})

describe('handshake', () => {
  test('a hello from a newer protocol version closes with 4505 (server too old)', async () => {
    const r = await relay()
    const client = await TestClient.open(r.wsUrl)
    client.send({ type: 'hello', version: 99, token: await tokenFor(r.url, 'anna') })
    expect((await client.closed()).code).toBe(CloseCode.serverTooOld)
    expect(client.welcome).toBeNull()
  })

  test('a hello from an older protocol version closes with 4426 (client too old)', async () => {
    const r = await relay()
    const client = await TestClient.open(r.wsUrl)
    client.send({ type: 'hello', version: 0, token: await tokenFor(r.url, 'anna') })
    expect((await client.closed()).code).toBe(CloseCode.clientTooOld)
    expect(client.welcome).toBeNull()
  })

  test('a first frame that is not hello closes with 4401 and nothing is served', async () => {
    const r = await relay()
    const client = await TestClient.open(r.wsUrl)
    client.send({ type: 'sync', doc, step: 'step1', data: Y.encodeStateVector(new Y.Doc()) })
    expect((await client.closed()).code).toBe(CloseCode.unauthorized)
    expect(client.frames).toEqual([])
  })

  test('a hello with an unknown token closes with 4401', async () => {
    const r = await relay()
    const client = await TestClient.open(r.wsUrl)
    client.send({ type: 'hello', version: PROTOCOL_VERSION, token: 'not-a-session-token' })
    expect((await client.closed()).code).toBe(CloseCode.unauthorized)
    expect(client.welcome).toBeNull()
  })

  test('a socket that never says hello is closed with 4408 after helloTimeoutMs', async () => {
    const r = await relay({ config: { helloTimeoutMs: 50 } })
    const client = await TestClient.open(r.wsUrl)
    expect((await client.closed()).code).toBe(CloseCode.helloTimeout)
  })

  test('a second hello on a signed-in connection is malformed', async () => {
    const r = await relay()
    const token = await tokenFor(r.url, 'anna')
    const client = await TestClient.connect(r.wsUrl, token)
    client.send({ type: 'hello', version: PROTOCOL_VERSION, token })
    expect((await client.closed()).code).toBe(CloseCode.malformed)
  })
})
