import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Session, SessionState } from './create-session.ts';

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionContext.Provider>');
  return session;
}

/** The session's state, re-rendering the component when it changes. */
export function useSessionState(): SessionState {
  const session = useSession();
  const [state, setState] = useState(session.state());
  useEffect(() => {
    setState(session.state());
    return session.subscribe(setState);
  }, [session]);
  return state;
}
