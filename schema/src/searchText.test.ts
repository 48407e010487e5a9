import { describe, expect, it } from 'vitest'
import { foldText, isPhoneQuery, matchRanges, phoneDigits, phoneMatches, queryTerms, tokenize } from './searchText.ts'

/** The highlighted parts of `text`. */
const highlighted = (text: string, query: string) => matchRanges(text, queryTerms(query)).map(([start, end]) => text.slice(start, end))

describe('folding', () => {
  it('lowercases and drops accents in the five languages', () => {
    expect(foldText('Perché Già Più')).toBe('perche gia piu')
    expect(foldText('Straße ÜBER Größe')).toBe('strasse uber grosse')
    expect(foldText('Niño Año Señor')).toBe('nino ano senor')
    expect(foldText('École Café Œuvre Garçon')).toBe('ecole cafe oeuvre garcon')
    expect(foldText('CAFÉ')).toBe(foldText('cafe'))
  })

  it('folds letters NFD does not decompose, and decomposed accents like precomposed ones', () => {
    expect(foldText('Æsir Øre Łódź Đorđe')).toBe('aesir ore lodz dorde')
    expect(foldText('Cafe\u0301')).toBe(foldText('Café'))
    expect(foldText('ΟΔΟΣ')).toBe(foldText('οδοσ'))
  })
})

describe('tokenize', () => {
  it('splits on apostrophes, hyphens and punctuation, keeping digits', () => {
    expect(tokenize("l'uomo dell’ufficio")).toEqual(['l', 'uomo', 'dell', 'ufficio'])
    expect(tokenize('E-Mail, bitte!')).toEqual(['e', 'mail', 'bitte'])
    expect(tokenize('Room 42b at 10:30')).toEqual(['room', '42b', 'at', '10', '30'])
    expect(tokenize('  ')).toEqual([])
  })

  it('keeps repeats and cuts long words to 40 characters', () => {
    expect(tokenize('ok OK ok')).toEqual(['ok', 'ok', 'ok'])
    expect(tokenize('x'.repeat(50))).toEqual(['x'.repeat(40)])
  })

  it('folds before splitting, so a decomposed accent does not split a word', () => {
    expect(tokenize('perche\u0301 no')).toEqual(['perche', 'no'])
  })
})

describe('queryTerms', () => {
  it('gives distinct folded words, at most 8', () => {
    expect(queryTerms('Café cafe CAFÉ, straße')).toEqual(['cafe', 'strasse'])
    expect(queryTerms('a b c d e f g h i j')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
    expect(queryTerms(' \t ')).toEqual([])
  })
})

describe('matchRanges', () => {
  it('covers the matched prefix of each word, in the original text', () => {
    expect(highlighted('The report, reporting and preport', 'repo')).toEqual(['repo', 'repo'])
    expect(matchRanges('The report', ['repo'])).toEqual([[4, 8]])
    expect(highlighted('Perché no?', 'perche')).toEqual(['Perché'])
    expect(highlighted('Ciao! Perché?', 'ciao perch')).toEqual(['Ciao', 'Perch'])
  })

  it('maps folded offsets back when folding changes the length', () => {
    expect(highlighted('Die Straße ist lang', 'strasse')).toEqual(['Straße'])
    // Half of ß cannot be highlighted: the whole letter is.
    expect(highlighted('Straße', 'stras')).toEqual(['Straß'])
    expect(highlighted('Große Straße', 'gro stra')).toEqual(['Gro', 'Stra'])
    const decomposed = 'Perche\u0301 e\u0301cole'
    expect(highlighted(decomposed, 'perche ecole')).toEqual(['Perche\u0301', 'e\u0301cole'])
    expect(matchRanges(decomposed, ['e'])).toEqual([[8, 10]])
  })

  it('takes the longest matching term per word, sorted and without overlaps', () => {
    const ranges = matchRanges('reporting report rep', ['rep', 'report'])
    expect(ranges).toEqual([[0, 6], [10, 16], [17, 20]])
    expect(matchRanges("l'uomo", ['l', 'uomo'])).toEqual([[0, 1], [2, 6]])
    expect(matchRanges('nothing here', ['xyz'])).toEqual([])
    expect(matchRanges('anything', [])).toEqual([])
  })

  it('handles characters outside the BMP', () => {
    const text = '😀 Caffè 😀'
    expect(highlighted(text, 'caffe')).toEqual(['Caffè'])
  })
})

describe('phone numbers', () => {
  const phone = '+39 045 123 4567'

  it('recognises phone-like queries', () => {
    expect(isPhoneQuery(' +39 (045) 123-45.67 ')).toBe(true)
    expect(isPhoneQuery('0039/045')).toBe(true)
    expect(isPhoneQuery('12')).toBe(false)
    expect(isPhoneQuery('045 abc')).toBe(false)
    expect(phoneDigits('+39 (045) 12')).toBe('3904512')
  })

  it('matches however the number is typed', () => {
    for (const query of ['045 1234567', '0451234567', '+390451234567', '0039 045 123 4567', '1234567', '39045']) {
      expect(phoneMatches(query, phone), query).toBe(true)
    }
    expect(phoneMatches('0612345678', '+33 6 12 34 56 78')).toBe(true)
    expect(phoneMatches('+39 045', '0039 045 999')).toBe(true)
  })

  it('does not match other numbers', () => {
    for (const query of ['999', '0461', '', '0']) expect(phoneMatches(query, phone), query).toBe(false)
  })
})
