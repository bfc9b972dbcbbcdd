import lazy from 'preact-iso/lazy';

// The org pages load when first opened, each in a chunk of its own: the first page a person sees
// (sign-in, then the agents) stays lean (test/studio/studio-bundle.test.ts). Their rules stay in
// the one stylesheet (org-pages.css, about 1 kB gzipped), so a page never renders unstyled.

export const MembersPage = lazy(() => import('./members-page.tsx').then((page) => page.MembersPage));
export const ApiKeysPage = lazy(() => import('./api-keys-page.tsx').then((page) => page.ApiKeysPage));
export const ProviderKeysPage = lazy(() => import('./provider-keys-page.tsx').then((page) => page.ProviderKeysPage));
export const McpServersPage = lazy(() => import('./mcp-servers-page.tsx').then((page) => page.McpServersPage));
export const UsagePage = lazy(() => import('./usage-page.tsx').then((page) => page.UsagePage));
export const AgentIntegrationsPage = lazy(() =>
  import('./agent-integrations-page.tsx').then((page) => page.AgentIntegrationsPage),
);
