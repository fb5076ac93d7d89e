import { describe, expect, it } from 'vitest';
import type { Template } from '../api/types.ts';
import { fillTemplate, matchTemplates, slashWordBefore, templateValues } from './reply-templates.ts';

const template = (shortcut: string, locale: string, name = shortcut): Template => ({
  id: `${shortcut}-${locale}`,
  name,
  shortcut,
  locale,
  body: `${shortcut} ${locale}`,
});

describe('reply templates', () => {
  it('fills the variables from the contact, the owner and the storefront address', () => {
    const values = templateValues({ contactName: 'Anne Müller', myName: 'Claire Rochat', handle: 'claire', origin: 'https://p.example' });
    expect(fillTemplate('Bonjour {{firstName}}, réservez ici : {{ bookingLink }} — {{myName}} {{unknown}}', values)).toBe(
      'Bonjour Anne, réservez ici : https://p.example/@claire — Claire Rochat {{unknown}}',
    );
    expect(values.contactFormLink).toBe('https://p.example/@claire/contact');
  });

  it('uses the links the server sends when it sends them', () => {
    const values = templateValues({
      contactName: 'Anne',
      myName: 'C',
      handle: 'claire',
      origin: 'https://p.example',
      links: { storefront: 'https://claire.ch', contactForm: 'https://claire.ch/kontakt' },
    });
    expect(values.bookingLink).toBe('https://claire.ch');
    expect(values.contactFormLink).toBe('https://claire.ch/kontakt');
  });

  it('prefers the template in the conversation language among those with one shortcut', () => {
    const all = [template('price', 'fr'), template('price', 'de'), template('thanks', 'en')];
    expect(matchTemplates(all, 'pr', ['de', 'fr']).map((t) => t.id)).toEqual(['price-de']);
    expect(matchTemplates(all, '', ['fr']).map((t) => t.id)).toEqual(['price-fr', 'thanks-en']);
  });

  it('finds templates by name when the shortcut does not match', () => {
    expect(matchTemplates([template('tarif', 'fr', 'Prix et conditions')], 'condi', ['fr'])).toHaveLength(1);
  });

  it('opens only on a slash at the start of a word', () => {
    expect(slashWordBefore('Hello /pri', 10)).toEqual({ start: 6, typed: 'pri' });
    expect(slashWordBefore('/', 1)).toEqual({ start: 0, typed: '' });
    expect(slashWordBefore('and/or', 6)).toBeNull();
    expect(slashWordBefore('see https://x.ch/path', 21)).toBeNull();
  });
});
