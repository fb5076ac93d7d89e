// The message above a form when submitting failed. role="alert" makes it heard immediately.
import { forwardRef } from 'react';
import type { ReactNode } from 'react';

export const FormAlert = forwardRef<HTMLDivElement, { children: ReactNode; tone?: 'error' | 'info' }>(
  function FormAlert({ children, tone = 'error' }, ref) {
    if (!children) return null;
    return (
      <div ref={ref} className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'note'} tabIndex={-1}>
        {children}
      </div>
    );
  },
);
