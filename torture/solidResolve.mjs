/** The resolve hook registered by `solidInNode.mjs`. */
/* global URL */
const browserBuild = new URL('../node_modules/solid-js/dist/solid.js', import.meta.url).href

export async function resolve(specifier, context, next) {
  if (specifier === 'solid-js') return { url: browserBuild, format: 'module', shortCircuit: true }
  return next(specifier, context)
}
