import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { de } from './messages/de.ts';
import { en } from './messages/en.ts';
import { fr } from './messages/fr.ts';
import { it as italian } from './messages/it.ts';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

/** The {name} arguments a message uses, at any nesting depth (plural branches included). */
function argumentsOf(message: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (elements: unknown): void => {
    if (!Array.isArray(elements)) return;
    for (const element of elements as Array<Record<string, unknown>>) {
      if (typeof element.value === 'string' && element.type !== 0) names.add(element.value);
      if (element.options && typeof element.options === 'object') {
        for (const option of Object.values(element.options as Record<string, { value: unknown }>)) walk(option.value);
      }
      if (Array.isArray(element.children)) walk(element.children);
    }
  };
  walk(new IntlMessageFormat(message, locale).getAst());
  return [...names].sort();
}

const english = flatten(en);
const locales = { fr, de, it: italian } as const;

describe('messages', () => {
  it('every locale has exactly the same keys as English', () => {
    for (const [locale, messages] of Object.entries(locales)) {
      const keys = [...flatten(messages).keys()].sort();
      expect(keys, `keys of ${locale}`).toEqual([...english.keys()].sort());
    }
  });

  it('every message parses as ICU MessageFormat', () => {
    for (const [locale, messages] of Object.entries({ en, ...locales })) {
      for (const [key, message] of flatten(messages)) {
        expect(() => new IntlMessageFormat(message, locale), `${locale} ${key}`).not.toThrow();
      }
    }
  });

  it('translations use the same arguments as English', () => {
    for (const [locale, messages] of Object.entries(locales)) {
      for (const [key, message] of flatten(messages)) {
        const expected = argumentsOf(english.get(key) ?? '', 'en');
        expect(argumentsOf(message, locale), `${locale} ${key}`).toEqual(expected);
      }
    }
  });

  it('no message is left empty', () => {
    for (const [locale, messages] of Object.entries({ en, ...locales })) {
      for (const [key, message] of flatten(messages)) expect(message.trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it('plural messages format in every locale', () => {
    for (const [locale, messages] of Object.entries({ en, ...locales })) {
      const text = new IntlMessageFormat(flatten(messages).get('inbox.waitingHours') ?? '', locale).format({ count: 3 });
      expect(text).toMatch(/3/);
    }
  });
});
