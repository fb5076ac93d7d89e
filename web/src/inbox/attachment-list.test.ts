import { describe, expect, it } from 'vitest';
import type { MessageAttachment } from '../api/types.ts';
import { attachmentUrl, listedAttachments } from './attachment-list.tsx';

const attachment = (over: Partial<MessageAttachment>): MessageAttachment => ({ id: 'a1', filename: 'f', contentType: 'image/png', size: 1, inline: false, contentId: null, ...over });

describe('attachment list', () => {
  it('leaves out inline images the HTML shows, and keeps everything else', () => {
    const logo = attachment({ id: 'logo', inline: true, contentId: 'Logo@Example' });
    const pasted = attachment({ id: 'pasted', inline: true, contentId: 'pasted@x' }); // inline, but the HTML does not use it
    const pdf = attachment({ id: 'pdf', contentType: 'application/pdf', contentId: 'pdf@x' }); // a file, even if named in the HTML
    const html = '<p>Hi</p><img src="cid:logo%40example"><a href="cid:pdf@x">offer</a>';
    expect(listedAttachments([logo, pasted, pdf], html).map((a) => a.id)).toEqual(['pasted', 'pdf']);
    expect(listedAttachments([logo, pasted, pdf], null).map((a) => a.id)).toEqual(['logo', 'pasted', 'pdf']);
  });

  it('builds the download URL the server serves (and the HTML view points cid: images at)', () => {
    expect(attachmentUrl('m/1', 'a?2')).toBe('/api/v1/messages/m%2F1/attachments/a%3F2');
  });
});
