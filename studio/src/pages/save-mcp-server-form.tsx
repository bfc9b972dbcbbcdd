import { useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import type { McpServersApi, McpServerView } from '../api/mcp-servers-api.ts';
import type { Notice } from '../components/notice-area.tsx';
import { useWrongField } from '../components/use-wrong-field.tsx';
import { explainOrgError } from './explain-org-error.ts';

type Field = 'name' | 'url' | 'token' | 'tools';

// The name is the path's {server}; a tool's problem is named by its place (tools.1).
function formFieldOf(err: unknown): Field | undefined {
  const field = err instanceof ApiError ? err.field : undefined;
  if (field === 'server') return 'name';
  if (field === 'url' || field === 'token') return field;
  return field?.startsWith('tools') ? 'tools' : undefined;
}

// Tools are typed as a list separated by commas, spaces or lines; none typed offers them all (null).
function toolsOf(text: string): string[] | null {
  const tools = text.split(/[\s,]+/).filter((tool) => tool !== '');
  return tools.length === 0 ? null : tools;
}

/**
 * Adds an MCP server, or replaces one (`replacing`, whose URL and tools it starts from). The
 * token is a password field sent only when typed: left empty on a replace, the API keeps the
 * stored one; it is cleared from the page once sent. Whether the URL is right is the API's call.
 */
export function SaveMcpServerForm(props: {
  api: McpServersApi;
  replacing: McpServerView | undefined;
  onCancelReplace: () => void;
  onNotice: (notice: Notice | undefined) => void;
  onSaved: (server: McpServerView, isReplacing: boolean) => Promise<void>;
}) {
  const { replacing } = props;
  const [name, setName] = useState(replacing?.name ?? '');
  const [url, setUrl] = useState(replacing?.url ?? '');
  const [token, setToken] = useState('');
  const [tools, setTools] = useState(replacing?.tools?.join(', ') ?? '');
  const [isSaving, setSaving] = useState(false);
  const wrong = useWrongField<Field>('mcp-server');

  async function save(event: Event) {
    event.preventDefault();
    setSaving(true);
    props.onNotice(undefined);
    wrong.setWrong(undefined);
    const serverName = name.trim();
    try {
      const saved = await props.api.save(serverName, {
        url: url.trim(),
        ...(token === '' ? {} : { token }),
        tools: toolsOf(tools),
      });
      setToken('');
      if (!replacing) {
        setName('');
        setUrl('');
        setTools('');
      }
      await props.onSaved(saved, replacing !== undefined);
    } catch (err) {
      // The token stays in its field to be corrected, never in the words shown (the API's messages omit it too).
      const text = explainOrgError(err, `save the server “${serverName}”`);
      wrong.setWrong(formFieldOf(err), text);
      props.onNotice({ kind: 'error', text });
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="card org-form" onSubmit={save} aria-labelledby="save-mcp-server-title" autocomplete="off">
      <h2 id="save-mcp-server-title">{replacing ? `Replace “${replacing.name}”` : 'Add an MCP server'}</h2>
      <div class="fields">
        <div class="field">
          <label for="mcp-server-name">Name</label>
          <input
            id="mcp-server-name"
            type="text"
            required
            maxLength={40}
            pattern="[a-z0-9\-]+"
            autocomplete="off"
            spellcheck={false}
            placeholder="order-desk"
            readOnly={replacing !== undefined}
            value={name}
            {...wrong.attributes('name', 'mcp-server-name-hint')}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <p class="hint" id="mcp-server-name-hint">
            Lowercase letters, digits and “-”; the model sees its tools as <code>name__tool</code>.
          </p>
          {wrong.error('name')}
        </div>
        <div class="field">
          <label for="mcp-server-token">{replacing ? 'Token (empty: keep the saved one)' : 'Token (optional)'}</label>
          <input
            id="mcp-server-token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            maxLength={4096}
            value={token}
            {...wrong.attributes('token')}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          {wrong.error('token')}
        </div>
        <div class="field field-wide">
          <label for="mcp-server-url">Streamable HTTP URL</label>
          <input
            id="mcp-server-url"
            type="url"
            required
            maxLength={2048}
            autocomplete="off"
            spellcheck={false}
            placeholder="https://tools.example.com/mcp"
            value={url}
            {...wrong.attributes('url')}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
          {wrong.error('url')}
        </div>
        <div class="field field-wide">
          <label for="mcp-server-tools">Tools offered (optional)</label>
          <input
            id="mcp-server-tools"
            type="text"
            autocomplete="off"
            spellcheck={false}
            placeholder="lookup_order, refund_order"
            value={tools}
            {...wrong.attributes('tools', 'mcp-server-tools-hint')}
            onInput={(e) => setTools(e.currentTarget.value)}
          />
          <p class="hint" id="mcp-server-tools-hint">
            The server’s tool names, separated by commas; empty offers all its tools.
          </p>
          {wrong.error('tools')}
        </div>
      </div>
      <div class="row-actions">
        <button type="submit" class="primary" disabled={isSaving}>
          {isSaving ? 'Saving…' : replacing ? 'Replace server' : 'Add server'}
        </button>
        {replacing && (
          <button type="button" onClick={props.onCancelReplace}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
