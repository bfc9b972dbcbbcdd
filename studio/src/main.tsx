import { render } from 'preact';
import { App } from './app.tsx';
import { createSession } from './session/create-session.ts';

const session = createSession();
void session.restore();
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
render(<App session={session} />, root);
