// Loads data for a screen and keeps the three states a screen must show: loading, failed, loaded.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DependencyList } from 'react';

export type Load<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'failed'; data?: undefined; error: unknown }
  | { status: 'loaded'; data: T; error?: undefined };

export interface LoadControls<T> {
  /** Loads again from scratch, showing the loading state. */
  reload(): void;
  /**
   * Loads again in the background and swaps the data in when it arrives, so a live update does
   * not blank the screen. A failure keeps what is shown.
   */
  refresh(): void;
  replace(data: T): void;
}

export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Load<T> & LoadControls<T> {
  const [state, setState] = useState<Load<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const background = useRef<AbortController | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    background.current?.abort();
    setState({ status: 'loading' });
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ status: 'loaded', data }),
      (error: unknown) => !controller.signal.aborted && setState({ status: 'failed', error }),
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what `load` depends on
  }, [...deps, round]);

  useEffect(() => () => background.current?.abort(), []);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  const refresh = useCallback(() => {
    background.current?.abort();
    const controller = new AbortController();
    background.current = controller;
    loadRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ status: 'loaded', data }),
      () => undefined,
    );
  }, []);
  const replace = useCallback((data: T) => setState({ status: 'loaded', data }), []);
  return { ...state, reload, refresh, replace };
}
