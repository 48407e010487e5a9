import { encodeFrame, type DocName, type ServerFrame } from '@waggle/schema'
import * as Y from 'yjs'

/**
 * Encoded frames the mux connections of one relay share (in its RelayContext), each keyed by
 * the object it was made from, so it goes with it.
 */
export class FrameCache {
  readonly #forwarded = new WeakMap<Uint8Array, Uint8Array>()
  readonly #wholeStates = new WeakMap<Y.Doc, Uint8Array>()
  readonly #watched = new WeakSet<Y.Doc>()

  /**
   * A frame the hub forwards to every subscriber of a document, encoded once per update or
   * awareness change (keyed by its bytes, which the hub hands to every subscriber) instead of
   * once per subscriber: the relay benchmark's fan-out to 1,500 observers spent 1.68× the peers'
   * CPU per delivered update encoding the same frame 1,500 times.
   */
  forwarded(frame: ServerFrame, bytes: Uint8Array): Uint8Array {
    let encoded = this.#forwarded.get(bytes)
    if (encoded === undefined) {
      encoded = encodeFrame(frame)
      this.#forwarded.set(bytes, encoded)
    }
    return encoded
  }

  /**
   * The step-2 frame with a loaded document's whole state, for subscribers that have nothing
   * yet, encoded once until the document changes: in the benchmark's join storm 150 clients
   * joining a 4 MB document each cost an encoding of 4 MB and a copy into a frame.
   */
  wholeState(name: DocName, doc: Y.Doc): Uint8Array {
    let encoded = this.#wholeStates.get(doc)
    if (encoded === undefined) {
      encoded = encodeFrame({ type: 'sync', doc: name, step: 'step2', data: Y.encodeStateAsUpdate(doc) })
      this.#wholeStates.set(doc, encoded)
      if (!this.#watched.has(doc)) {
        this.#watched.add(doc)
        doc.on('update', () => this.#wholeStates.delete(doc))
      }
    }
    return encoded
  }
}
