import { describe, expect, it } from 'vitest';
import { foldText, highlightSnippet, queryWords } from './fold-text.ts';

describe('search text folding', () => {
  it('folds diacritics and case', () => {
    expect(foldText('Réponse à Zürich, ÇA VA?')).toBe('reponse a zurich, ca va?');
  });

  it('takes the words of a query and ignores search syntax', () => {
    expect(queryWords('"reponse" AND zurich* OR -x NEAR(a b)')).toEqual(['reponse', 'and', 'zurich', 'or', 'x', 'near', 'a', 'b']);
    expect(queryWords('   ')).toEqual([]);
  });

  it('highlights words that start with a query word, keeping the original spelling', () => {
    const s = highlightSnippet('Merci pour votre réponse rapide. Je serai à Zürich le 12 mars pour la formation.', ['reponse', 'zur']);
    expect(s).toContain('[[réponse]]');
    expect(s).toContain('[[Zürich]]');
  });

  it('cuts long texts around the first match', () => {
    const text = `${'lorem '.repeat(100)}formation ${'ipsum '.repeat(100)}`;
    const s = highlightSnippet(text, ['formation']);
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s).toContain('[[formation]]');
    expect(s.length).toBeLessThan(200);
  });
});
