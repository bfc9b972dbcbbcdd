import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso/router';
import { useSession } from '../session/session-context.ts';

// Only pages that exist are linked: later pages (wizard, playground, org settings) add their entry here.
const navigation = [
  { href: '/studio/agents', label: 'Agents' },
  { href: '/studio/members', label: 'Members' },
  { href: '/studio/api-keys', label: 'API keys' },
  { href: '/studio/providers', label: 'Provider keys' },
  { href: '/studio/mcp-servers', label: 'MCP servers' },
  { href: '/studio/usage', label: 'Usage' },
];

/** The frame of every signed-in page: the product name, the navigation, the org and sign-out. */
export function AppShell(props: { org: string; children: ComponentChildren }) {
  const session = useSession();
  const location = useLocation();
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="/studio/agents">
          Astromesh Studio
        </a>
        <nav aria-label="Main">
          <ul>
            {navigation.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={location.path === item.href ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="org" title="Your org">
            {props.org}
          </span>
          <button
            type="button"
            onClick={async () => {
              await session.signOut();
              location.route('/studio/sign-in');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{props.children}</main>
    </div>
  );
}
