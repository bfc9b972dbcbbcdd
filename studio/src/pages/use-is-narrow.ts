import { useEffect, useState } from 'preact/hooks';

// The phone breakpoint of styles.css (40rem).
const narrowQuery = '(max-width: 40rem)';

/**
 * Whether the window is phone-narrow, kept up to date. The usage chart draws a narrower picture
 * there rather than shrinking the wide one, whose labels would become unreadably small.
 */
export function useIsNarrow(): boolean {
  const [isNarrow, setNarrow] = useState(() => matchMedia(narrowQuery).matches);
  useEffect(() => {
    const query = matchMedia(narrowQuery);
    const update = () => setNarrow(query.matches);
    query.addEventListener('change', update);
    update();
    return () => query.removeEventListener('change', update);
  }, []);
  return isNarrow;
}
