import { describe, expect, it } from 'vitest'
import { safeHref, splitMessageText } from './linkify.ts'

describe('message text parts', () => {
  it('links http, https and mailto URLs and keeps the rest as text', () => {
    expect(splitMessageText('See https://example.com/a?b=1 and mailto:ana@example.com now')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'mailto:ana@example.com', href: 'mailto:ana@example.com' },
      { kind: 'text', text: ' now' },
    ])
  })

  it('leaves sentence punctuation out of the link', () => {
    expect(splitMessageText('Go to http://x.it/offer.')).toEqual([
      { kind: 'text', text: 'Go to ' },
      { kind: 'link', text: 'http://x.it/offer', href: 'http://x.it/offer' },
      { kind: 'text', text: '.' },
    ])
  })

  it('never links other schemes, and markup stays text', () => {
    expect(splitMessageText('javascript:alert(1) <b>hi</b> data:text/html,x')).toEqual([{ kind: 'text', text: 'javascript:alert(1) <b>hi</b> data:text/html,x' }])
    expect(safeHref('javascript:alert(1)')).toBeNull()
  })

  it('marks @Name of mentioned people, longest name first', () => {
    expect(splitMessageText('@Marco Bianchi and @Marco, see https://a.it', ['Marco', 'Marco Bianchi'])).toEqual([
      { kind: 'mention', text: '@Marco Bianchi' },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@Marco' },
      { kind: 'text', text: ', see ' },
      { kind: 'link', text: 'https://a.it', href: 'https://a.it/' },
    ])
    expect(splitMessageText('mail @Luca', ['Marco'])).toEqual([{ kind: 'text', text: 'mail @Luca' }])
  })
})
