// Renders a translated sentence with a shell command inside it as <code>, keeping the whole
// sentence in one message so translators can place the command where their grammar needs it.
import { Fragment } from 'react';

const MARK = '\u2063COMMAND\u2063';

export function TextWithCode({ text, code }: { text: (marker: string) => string; code: string }) {
  const parts = text(MARK).split(MARK);
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {index > 0 ? <code>{code}</code> : null}
          {part}
        </Fragment>
      ))}
    </>
  );
}
