// `node scripts/icons.mjs`: writes the app icons into client/public/ from the Waggle mark of
// client/src/ui/Logo.tsx (a honeycomb cell with a speech tail and two text lines):
// - favicon.svg: the mark itself, brand amber with ink lines (visible on light and dark tab strips);
// - icon-192.png, icon-512.png: the mark in ink on an amber rounded square;
// - icon-maskable-512.png, apple-touch-icon.png: full bleed, the mark inside the 80 % safe zone.
// The PNGs are rasterised here with signed distances (anti-aliased edges) and encoded with zlib.
import { Buffer } from 'node:buffer'
import console from 'node:console'
import { mkdirSync, writeFileSync } from 'node:fs'
import { URL, fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const OUT = fileURLToPath(new URL('../client/public/', import.meta.url))
const BRAND = [0xe8, 0xa1, 0x1a]
const INK = [0x3b, 0x25, 0x00]

/** Logo.tsx, in its 32 × 32 box: the cell's outline and the two lines (stroke 2.4, round caps). */
const CELL = [[16, 2.5], [27.5, 9], [27.5, 22], [16, 28.5], [10, 25], [5.5, 29], [6.7, 22.5], [4.5, 22], [4.5, 9]]
const LINES = [[[11, 13.5], [21, 13.5]], [[11, 18], [18, 18]]]
const LINE_WIDTH = 2.4
/** The centre of the mark's bounding box. */
const CENTRE = [16, 15.75]

const hex = (c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`

function faviconSvg() {
  const cell = `M${CELL.map(([x, y]) => `${x} ${y}`).join(' L')}Z`
  const lines = LINES.map(([[x1, y1], [x2]]) => `M${x1} ${y1}H${x2}`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <path d="${cell}" fill="${hex(BRAND)}"/>
  <path d="${lines}" stroke="${hex(INK)}" stroke-width="${LINE_WIDTH}" stroke-linecap="round"/>
</svg>
`
}

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - ax - t * dx, py - ay - t * dy)
}

/** Signed distance to a polygon (negative inside; even-odd rule). */
function polygonDistance(px, py, points) {
  let d = Infinity
  let inside = false
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[j]
    const b = points[i]
    d = Math.min(d, segmentDistance(px, py, a, b))
    if ((b[1] > py) !== (a[1] > py) && px < ((a[0] - b[0]) * (py - b[1])) / (a[1] - b[1]) + b[0]) inside = !inside
  }
  return inside ? -d : d
}

/** Signed distance to a rounded square filling a `size` box (negative inside). */
function roundedSquare(px, py, size, radius) {
  const qx = Math.abs(px - size / 2) - (size / 2 - radius)
  const qy = Math.abs(py - size / 2) - (size / 2 - radius)
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}

/**
 * RGBA pixels of an icon `size` px wide: an amber tile (rounded unless `fullBleed`) and the mark
 * in ink, `markScale` icon pixels per Logo unit, centred; its lines are cut out in amber.
 */
function raster(size, { fullBleed, markScale }) {
  const toMark = (p) => (p - size / 2) / markScale
  const layers = [
    { color: BRAND, distance: (x, y) => (fullBleed ? -Infinity : roundedSquare(x, y, size, size * 0.22)) },
    { color: INK, distance: (x, y) => polygonDistance(toMark(x) + CENTRE[0], toMark(y) + CENTRE[1], CELL) * markScale },
    {
      color: BRAND,
      distance: (x, y) => Math.min(...LINES.map(([a, b]) => segmentDistance(toMark(x) + CENTRE[0], toMark(y) + CENTRE[1], a, b))) * markScale - (LINE_WIDTH / 2) * markScale,
    },
  ]
  const rgba = Buffer.alloc(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Premultiplied "over" of the layers, each covering by its distance (1 px soft edge).
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (const layer of layers) {
        const cover = Math.max(0, Math.min(1, 0.5 - layer.distance(x + 0.5, y + 0.5)))
        r = layer.color[0] * cover + r * (1 - cover)
        g = layer.color[1] * cover + g * (1 - cover)
        b = layer.color[2] * cover + b * (1 - cover)
        a = cover + a * (1 - cover)
      }
      const o = (y * size + x) * 4
      rgba[o] = a === 0 ? 0 : Math.round(r / a)
      rgba[o + 1] = a === 0 ? 0 : Math.round(g / a)
      rgba[o + 2] = a === 0 ? 0 : Math.round(b / a)
      rgba[o + 3] = Math.round(a * 255)
    }
  }
  return rgba
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** An 8-bit RGBA PNG (filter type 0 on every row). */
function png(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8)
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// The mark is 26.5 units tall; its farthest point from the centre (the tail) is 16.9 units away,
// so 0.4 × size / 16.9 keeps a full-bleed icon's mark inside the maskable safe circle.
const ICONS = [
  ['icon-192.png', 192, { fullBleed: false, markScale: (192 * 0.68) / 26.5 }],
  ['icon-512.png', 512, { fullBleed: false, markScale: (512 * 0.68) / 26.5 }],
  ['icon-maskable-512.png', 512, { fullBleed: true, markScale: (512 * 0.36) / 16.9 }],
  ['apple-touch-icon.png', 180, { fullBleed: true, markScale: (180 * 0.4) / 16.9 }],
]

mkdirSync(OUT, { recursive: true })
writeFileSync(`${OUT}favicon.svg`, faviconSvg())
for (const [name, size, options] of ICONS) writeFileSync(`${OUT}${name}`, png(size, raster(size, options)))
console.log(`Icons written to ${OUT}`)
