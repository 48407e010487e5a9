/**
 * `node --import ./torture/solidInNode.mjs`: resolves `solid-js` to its browser build, as the
 * vitest projects do with an alias. In Node, `solid-js` resolves to its server build, whose
 * memos and effects do not react, and the app model the torture replicas run needs them.
 */
import { register } from 'node:module'

register('./solidResolve.mjs', import.meta.url)
