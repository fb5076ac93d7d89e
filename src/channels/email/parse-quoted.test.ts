import { describe, expect, it } from 'vitest';
import { splitQuoted } from './parse-quoted.ts';

describe('splitQuoted: the new text apart from quoted history and signature', () => {
  it('English: "On … wrote:" wrapped over two lines, and the full original stays available', () => {
    const text = 'Sounds good, see you Tuesday.\n\nOn Mon, 4 Mar 2024 at 10:00, Claire Dubois <\nclaire@atelier.example> wrote:\n> Would Tuesday work?\n';
    const s = splitQuoted(text);
    expect(s.visible).toBe('Sounds good, see you Tuesday.');
    expect(s.quoted).toMatch(/^On Mon.*\n.*wrote:\n> Would Tuesday work\?$/);
    expect(text.slice(s.quoteStart!)).toMatch(/^On Mon/);
  });

  it('French: "Le … a écrit :" with the French space before the colon', () => {
    const s = splitQuoted('Bonjour Claire,\nmardi me convient.\n\nLe lun. 4 mars 2024 à 10:00, Claire Dubois <claire@atelier.example> a écrit :\n> Est-ce que mardi vous convient ?');
    expect(s.visible).toBe('Bonjour Claire,\nmardi me convient.');
    expect(s.quoted).toMatch(/^Le lun\./);
  });

  it('German: "Am … schrieb …:" (Gmail and Thunderbird) and an Outlook "Von: / Gesendet:" block', () => {
    expect(splitQuoted('Passt gut.\n\nAm Mo., 4. März 2024 um 10:00 Uhr schrieb Claire Dubois <claire@atelier.example>:\n> Passt Dienstag?').visible).toBe('Passt gut.');
    expect(splitQuoted('Passt gut.\n\nAm 04.03.2024 um 10:00 schrieb Claire Dubois:\n> Passt Dienstag?').visible).toBe('Passt gut.');
    const outlook = splitQuoted('Danke, bis Dienstag.\n\nFreundliche Grüsse\nJürgen\n\nVon: Claire Dubois <claire@atelier.example>\nGesendet: Montag, 4. März 2024 10:00\nAn: Jürgen Weiss <j@example.de>\nBetreff: Termin\n\nPasst Dienstag?');
    expect(outlook.visible).toBe('Danke, bis Dienstag.\n\nFreundliche Grüsse\nJürgen');
    expect(outlook.quoted).toMatch(/^Von: Claire/);
  });

  it('Italian: "Il … ha scritto:" and Outlook "Da: / Inviato:"', () => {
    expect(splitQuoted('Va bene martedì.\n\nIl giorno lun 4 mar 2024 alle ore 10:00 Claire Dubois <claire@atelier.example> ha scritto:\n> Martedì va bene?').visible).toBe('Va bene martedì.');
    expect(splitQuoted('Va bene.\n\nDa: Claire Dubois\nInviato: lunedì 4 marzo 2024 10:00\nA: Laura Rossi\nOggetto: Corso\n\nMartedì?').visible).toBe('Va bene.');
  });

  it('Outlook separators: "-----Original Message-----", "----- Ursprüngliche Nachricht -----", underscores + From:', () => {
    expect(splitQuoted('Yes.\n\n-----Original Message-----\nFrom: Claire\nSent: Monday\nHi').visible).toBe('Yes.');
    expect(splitQuoted('Ja.\n\n----- Ursprüngliche Nachricht -----\nVon: Claire\nHallo').visible).toBe('Ja.');
    expect(splitQuoted('Oui.\n\n________________________________\nDe : Claire Dubois\nEnvoyé : lundi 4 mars 2024 10:00\nÀ : Sophie\nObjet : Atelier\n\nBonjour').visible).toBe('Oui.');
  });

  it('a signature after "-- " is set apart; a device trailer too', () => {
    const s = splitQuoted('See you then.\n-- \nAnna Meier\nBildungswerk Nord\n\nOn Mon, Claire wrote:\n> Tuesday?');
    expect(s).toMatchObject({ visible: 'See you then.', signature: '-- \nAnna Meier\nBildungswerk Nord', quoted: 'On Mon, Claire wrote:\n> Tuesday?' });
    expect(splitQuoted('Ja, gerne.\n\nVon meinem iPhone gesendet').visible).toBe('Ja, gerne.');
  });

  it('inline answers between quoted lines stay visible; only the trailing quote is folded', () => {
    const text = 'On Mon, Claire wrote:\n> Tuesday or Wednesday?\nWednesday, please.\n> Morning or afternoon?\nMorning.\n\n> Thanks!\n> Claire';
    const s = splitQuoted(text);
    expect(s.visible).toBe('On Mon, Claire wrote:\n> Tuesday or Wednesday?\nWednesday, please.\n> Morning or afternoon?\nMorning.');
    expect(s.quoted).toBe('> Thanks!\n> Claire');
  });

  it('a forwarded message is content: its header block is not folded', () => {
    const s = splitQuoted('FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Anna <anna@example.org>\nDate: Mon, 4 Mar 2024\nSubject: Workshop\nTo: Claire\n\nCan you run a workshop in May?');
    expect(s.visible).toContain('Can you run a workshop in May?');
    expect(s.quoted).toBe('');
  });

  it('text that is only a quote stays visible rather than showing nothing', () => {
    expect(splitQuoted('> just a quote\n> nothing else').visible).toBe('> just a quote\n> nothing else');
  });

  it('a plain message without quotes is left alone', () => {
    expect(splitQuoted('Hello,\n\nI would like to book a coaching session.\n\nBest,\nEva')).toMatchObject({ visible: 'Hello,\n\nI would like to book a coaching session.\n\nBest,\nEva', quoted: '', signature: '', quoteStart: null });
  });
});
