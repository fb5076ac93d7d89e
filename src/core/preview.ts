/** The first words of a message as the inbox list shows them: one line, at most 140 characters. */
export function previewOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 140);
}
