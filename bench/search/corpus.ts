/**
 * The search benchmark's corpus: seeded, multilingual chat messages, generated where they are
 * used (in the page), so a million messages never cross the DevTools protocol. The same seed
 * gives the same conversations, ids, times, authors and texts, and the same queries.
 *
 * Words come from small lists in English, Italian, German, Spanish and French (with their
 * accents), drawn with a Zipf-like law (a few words in most messages, most words rarely), plus
 * a long tail of made-up words (project names, jargon, typos: what makes chat vocabularies
 * large), first names and numbers. Texts average about 60 characters.
 */

/** sfc32: a small, fast, seeded PRNG; `next()` is uniform in [0, 1). */
export class Rng {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(seed: number, stream = 0) {
    this.#a = 0x9e3779b9 ^ seed
    this.#b = 0x243f6a88 ^ Math.imul(stream, 0x85ebca6b)
    this.#c = 0xb7e15162 ^ Math.imul(seed, 0xc2b2ae35)
    this.#d = 1 ^ stream
    for (let i = 0; i < 15; i++) this.#u32()
  }

  #u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return t >>> 0
  }

  next(): number {
    return this.#u32() / 4294967296
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)]
    if (item === undefined) throw new Error('pick from an empty list')
    return item
  }

  /** A rank in [0, n) with P(r) about proportional to 1/(r+1) (log-uniform: Zipf with s = 1). */
  zipf(n: number): number {
    return Math.min(n - 1, Math.floor(Math.exp(this.next() * Math.log(n + 1))) - 1)
  }
}

export type Lang = 'en' | 'it' | 'de' | 'es' | 'fr'
export const LANGS: readonly Lang[] = ['en', 'it', 'de', 'es', 'fr']

/** Most frequent first (the order drives the Zipf draw). */
const WORDS: Readonly<Record<Lang, readonly string[]>> = {
  en: `the to and a of I you is it in for that on we this can be have with are will not do at me
    meeting tomorrow today please thanks just send call check file update team project report
    about time know new week client draft review budget deadline next issue fixed release
    morning afternoon office remote deploy server invoice contract slides agenda notes
    approved pending schedule launch quarter numbers feedback email lunch coffee train flight
    hotel weekend holiday sprint backlog ticket merge branch build test customer support
    order delivery warehouse shipment price discount offer proposal meeting room whiteboard
    quickly later sorry great perfect sure maybe definitely absolutely unfortunately`.split(/\s+/),
  it: `il di che e la per non un è a in mi ti ci sono ho domani oggi grazie riunione perché
    allora però già più così anche progetto cliente ufficio fattura consegna settimana
    prossima mattina pomeriggio sera città caffè pranzo treno viaggio bozza relazione
    preventivo contratto scadenza lunedì martedì mercoledì giovedì venerdì sabato domenica
    qualità attività possibilità novità facoltà università verrò potrò farò sarà dovrà
    magazzino spedizione ordine sconto offerta squadra verifica aggiornamento subito
    purtroppo ovviamente certamente volentieri benissimo perfetto d'accordo`.split(/\s+/),
  de: `der die und das ist nicht ich du wir sie es zu mit für auf ein eine morgen heute danke
    bitte über Besprechung Straße schön Grüße früh später müssen können würde hätte möchte
    Büro Kunde Projekt Rechnung Lieferung Woche nächste Übersicht Änderung Prüfung Größe
    Frühstück Mittagessen Bahnhof Zug Flughafen Entwurf Bericht Angebot Vertrag Frist
    Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag natürlich gemäß äußerst
    Lager Versand Bestellung Rabatt Mannschaft Überprüfung Aktualisierung sofort leider
    selbstverständlich gerne prima genau Ärger Öffnungszeiten Fußball Maßnahme Schlüssel`.split(/\s+/),
  es: `el la de que y en los se no por un para con una es mañana hoy gracias reunión también
    niño año señor España pequeño después así más está están qué cómo cuándo dónde
    oficina cliente proyecto factura entrega semana próxima tarde noche ciudad café
    almuerzo tren viaje borrador informe presupuesto contrato plazo lunes martes miércoles
    jueves viernes sábado domingo almacén envío pedido descuento oferta equipo revisión
    actualización enseguida lamentablemente claro perfecto vale compañía montaña sueño`.split(/\s+/),
  fr: `le de la et à les des un une est pas que je tu nous vous pour sur avec demain aujourd'hui
    merci réunion école été très déjà où après bientôt peut-être ça garçon français
    bureau client projet facture livraison semaine prochaine matin soir ville café
    déjeuner train voyage brouillon rapport devis contrat échéance lundi mardi mercredi
    jeudi vendredi samedi dimanche entrepôt expédition commande remise offre équipe
    vérification mise à jour immédiatement malheureusement évidemment volontiers parfait
    hôpital fenêtre forêt théâtre cœur sœur œuvre noël naïf`.split(/\s+/),
}

const NAMES = `Anna Marco Giulia Luca Francesca Matteo Chiara Jürgen Björn Zoë José María Andrés Sofía
  Íñigo François Hélène Amélie Jérôme Céline Noël Søren Łukasz Ægir Émile Günther Agnès Renée
  Dörte Müller Schröder García Martínez Núñez Rossi Bianchi Ferrari Dubois Lefèvre Peña Ibáñez
  Olga Priya Wei Kenji Fatima Omar Aisha Liam Emma Noah Olivia Ethan Mia Lucas Chloé Léa`.split(/\s+/)

/** Syllables for the made-up tail words, flavoured by language (with accents). */
const SYLLABLES: Readonly<Record<Lang, readonly string[]>> = {
  en: ['ka', 'lo', 'ter', 'min', 'sto', 'rex', 'pha', 'gen', 'tor', 'ix', 'bel', 'wor', 'dex', 'ply', 'qua'],
  it: ['ca', 'ri', 'gnò', 'tel', 'za', 'lù', 'pre', 'sco', 'ghi', 'nà', 'vo', 'ciò', 'mé', 'tti', 'bra'],
  de: ['ü', 'berg', 'stra', 'ße', 'wä', 'lich', 'kö', 'schen', 'pf', 'ung', 'zei', 'hö', 'rä', 'tz', 'ach'],
  es: ['ña', 'ción', 'lle', 'ró', 'gua', 'bí', 'cha', 'quí', 'nú', 'rro', 'zá', 'pe', 'sol', 'ñe', 'dó'],
  fr: ['é', 'ou', 'eau', 'ç', 'oî', 'gné', 'ère', 'ieu', 'cœ', 'àl', 'ré', 'mon', 'ût', 'ch', 'ève'],
}

/** Distinct made-up words: realistic chat vocabularies run to tens of thousands of words. */
export const TAIL_WORDS = 30_000

export interface Vocabulary {
  /** Per language, its list then its share of the tail (each tail word belongs to one language). */
  words: Readonly<Record<Lang, readonly string[]>>
  tail: Readonly<Record<Lang, readonly string[]>>
  names: readonly string[]
}

/** The vocabulary for a seed (the tail words depend on it). */
export function vocabulary(seed: number): Vocabulary {
  const rng = new Rng(seed, 0x7a11)
  const seen = new Set<string>()
  const tail = { en: [] as string[], it: [] as string[], de: [] as string[], es: [] as string[], fr: [] as string[] }
  for (const list of Object.values(WORDS)) for (const w of list) seen.add(w.toLowerCase())
  const perLang = Math.ceil(TAIL_WORDS / LANGS.length)
  for (const lang of LANGS) {
    const syl = SYLLABLES[lang]
    while (tail[lang].length < perLang) {
      let w = ''
      const n = rng.range(2, 4)
      for (let i = 0; i < n; i++) w += rng.pick(syl)
      if (w.length < 4 || seen.has(w)) continue
      seen.add(w)
      tail[lang].push(w)
    }
  }
  return { words: WORDS, tail, names: NAMES }
}

export interface GeneratedMessage {
  id: string
  author: string
  time: number
  text: string
}

export interface GeneratedConversation {
  conv: string
  messages: GeneratedMessage[]
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A 26-character time-sortable id, the layout of `timeSortableId`, with seeded randomness (so `--seed` replays ids too). */
export function seededSortableId(time: number, rng: Rng): string {
  let t = ''
  let rest = time
  for (let i = 0; i < 10; i++) {
    t = CROCKFORD.charAt(rest % 32) + t
    rest = Math.floor(rest / 32)
  }
  for (let i = 0; i < 16; i++) t += CROCKFORD.charAt(rng.int(32))
  return t
}

/** 2024-01-01T00:00:00Z: the corpus spans two years from here. */
export const CORPUS_START = Date.UTC(2024, 0, 1)
export const CORPUS_SPAN = 2 * 365 * 24 * 3600 * 1000

/** Counts of how often each word list entry and tail word was used (for picking common and rare query words). */
export class WordCounts {
  readonly counts = new Map<string, number>()

  add(word: string): void {
    this.counts.set(word, (this.counts.get(word) ?? 0) + 1)
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

function number(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
      return String(rng.range(1, 100))
    case 1:
      return `${rng.range(7, 19)}:${rng.pick(['00', '15', '30', '45'])}`
    case 2:
      return `${rng.range(1, 999)},${String(rng.range(0, 99)).padStart(2, '0')} €`
    case 3:
      return `#${rng.range(1000, 99999)}`
    default:
      return `${rng.range(1, 28)}/${rng.range(1, 12)}`
  }
}

/** One message text in `lang`: 5 to 16 words, maybe a name, a number, a tail word; ~60 characters on average. */
export function sentence(rng: Rng, vocab: Vocabulary, lang: Lang, counts?: WordCounts): string {
  const list = vocab.words[lang]
  const tail = vocab.tail[lang]
  const n = rng.range(5, 16)
  const parts: string[] = []
  for (let i = 0; i < n; i++) {
    const w = list[rng.zipf(list.length)] ?? ''
    counts?.add(w)
    parts.push(w)
  }
  if (rng.next() < 0.6) {
    const w = tail[rng.zipf(tail.length)] ?? ''
    counts?.add(w)
    parts.splice(rng.int(parts.length + 1), 0, w)
  }
  if (rng.next() < 0.3) parts.splice(rng.int(parts.length + 1), 0, rng.pick(vocab.names))
  if (rng.next() < 0.2) parts.splice(rng.int(parts.length + 1), 0, number(rng))
  if (rng.next() < 0.15) parts.splice(rng.int(parts.length) + 1, 0, ',')
  const text = parts.join(' ').replace(/ ,/g, ',')
  return capitalise(text) + rng.pick(['', '', '.', '.', '!', '?', ' :)', '…'])
}

export interface CorpusShape {
  seed: number
  conversations: number
  perConversation: number
  /** Users on the device's workspace; each conversation has 2 to 8 of them. */
  users?: number
}

/**
 * Conversation `c` of the corpus (independent of the others: any one can be made alone). Its
 * messages run, in increasing time, over a random part of the two years, so some conversations
 * ended long ago and others are active now, as on a real device.
 */
export function conversation(shape: CorpusShape, c: number, vocab: Vocabulary, counts?: WordCounts): GeneratedConversation {
  const rng = new Rng(shape.seed, c + 1)
  const conv = seededSortableId(CORPUS_START - 86_400_000 + c, rng)
  const users = shape.users ?? 200
  const members = Array.from({ length: rng.range(2, 8) }, () => `u${String(rng.int(users)).padStart(4, '0')}`)
  const primary = rng.pick(LANGS)
  const start = CORPUS_START + Math.floor(rng.next() * 0.9 * CORPUS_SPAN)
  const end = start + Math.floor((0.05 + rng.next() * 0.95) * (CORPUS_START + CORPUS_SPAN - start))
  const step = (end - start) / Math.max(1, shape.perConversation)
  const messages: GeneratedMessage[] = []
  let time = start
  for (let i = 0; i < shape.perConversation; i++) {
    time = Math.max(time + 1, Math.floor(start + (i + rng.next()) * step))
    const lang = rng.next() < 0.85 ? primary : rng.pick(LANGS)
    messages.push({ id: seededSortableId(time, rng), author: rng.pick(members), time, text: sentence(rng, vocab, lang, counts) })
  }
  return { conv, messages }
}

export type QueryKind = 'word' | 'prefix' | 'multi'

export interface BenchQuery {
  kind: QueryKind
  /** For one-word queries: whether the word was drawn from the common or the rare ones. */
  band?: 'common' | 'rare'
  q: string
}

/** Without accents, as people often type: `perché` → `perche`, `Straße` → `strasse`. */
export function unaccent(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').replace(/ß/g, 'ss')
}

/** Sometimes lowercased or without accents, as typed. */
function typed(rng: Rng, word: string): string {
  const r = rng.next()
  if (r < 0.35) return unaccent(word).toLowerCase()
  if (r < 0.7) return word.toLowerCase()
  return word
}

/** A prefix of 2 to 4 letters (never cutting inside a word of fewer letters). */
function prefixOf(rng: Rng, word: string, min = 2, max = 4): string {
  const letters = [...word.replace(/[^\p{L}\p{N}]/gu, '')]
  const n = Math.min(letters.length, rng.range(min, max))
  return letters.slice(0, n).join('')
}

/**
 * The benchmark's queries: `each` per kind, drawn with the seed from the words the corpus
 * actually used (`counts`). One-word: half common words (the 300 most used), half rare ones
 * (used 1 to 50 times). Prefix: 2 to 4 letters of a word drawn as the corpus draws them.
 * Multi-word: 2 or 3 words of one language, the last one cut to a prefix of 3 to 5 letters.
 */
export function queries(seed: number, vocab: Vocabulary, counts: ReadonlyMap<string, number>, each: number): BenchQuery[] {
  const rng = new Rng(seed, 0x9e77)
  const byUse = [...counts.entries()].filter(([w]) => /\p{L}/u.test(w)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const common = byUse.slice(0, 300).map(([w]) => w)
  let rare = byUse.filter(([, n]) => n >= 1 && n <= 50).map(([w]) => w)
  if (rare.length === 0) rare = byUse.slice(-100).map(([w]) => w)
  const drawn = (lang: Lang): string => {
    const list = rng.next() < 0.85 ? vocab.words[lang] : vocab.tail[lang]
    return list[rng.zipf(list.length)] ?? ''
  }
  const out: BenchQuery[] = []
  for (let i = 0; i < each; i++) {
    const band = i % 2 === 0 ? 'common' : 'rare'
    out.push({ kind: 'word', band, q: typed(rng, rng.pick(band === 'common' ? common : rare)) })
  }
  for (let i = 0; i < each; i++) {
    let p = ''
    while (p.length < 2) p = prefixOf(rng, typed(rng, drawn(rng.pick(LANGS))))
    out.push({ kind: 'prefix', q: p })
  }
  for (let i = 0; i < each; i++) {
    const lang = rng.pick(LANGS)
    const n = rng.range(2, 3)
    const words: string[] = []
    for (let k = 0; k < n; k++) {
      let w = drawn(lang)
      if (k === n - 1) {
        while (w.replace(/[^\p{L}]/gu, '').length < 3) w = drawn(lang)
        w = prefixOf(rng, w, 3, 5)
      }
      words.push(typed(rng, w))
    }
    out.push({ kind: 'multi', q: words.join(' ') })
  }
  return out
}
