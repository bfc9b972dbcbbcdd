import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  /** The last value loaded; kept while a reload runs or fails, so the page does not blank. */
  value: T | undefined;
  /** The last load's failure in words, cleared by the next load that succeeds. */
  error: string | undefined;
  /** Loads again (after an action changed what the list shows); resolves once the page has the answer. */
  reload: () => Promise<void>;
}

/**
 * What a page loads and shows: loaded when the page opens and whenever `load` changes (wrap it in
 * useCallback with what it reads), and on `reload()`. `explain` turns a failure into words; it may
 * be a new function each render. With `isEnabled: false` nothing is loaded (e.g. the API keys of
 * an org the caller cannot manage), until it turns true.
 */
export function useLoaded<T>(
  load: () => Promise<T>,
  explain: (err: unknown) => string,
  options: { isEnabled?: boolean } = {},
): Loaded<T> {
  const isEnabled = options.isEnabled ?? true;
  const [value, setValue] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const explainRef = useRef(explain);
  explainRef.current = explain;
  // Only the latest load may set what the page shows: an earlier, slower answer (say, for the
  // usage period chosen before) must not land on top of it.
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const call = ++latest.current;
    try {
      const loaded = await load();
      if (call !== latest.current) return;
      setValue(loaded);
      setError(undefined);
    } catch (err) {
      if (call === latest.current) setError(explainRef.current(err));
    }
  }, [load]);

  useEffect(() => {
    if (isEnabled) void reload();
  }, [reload, isEnabled]);

  return { value, error, reload };
}
