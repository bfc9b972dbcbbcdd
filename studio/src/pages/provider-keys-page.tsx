import { useCallback, useState } from 'preact/hooks';
import { cloudProviders } from '../../../api/schemas/cloud-providers.ts';
import { ApiError } from '../api/api-error.ts';
import { type CloudProviderName, providerKeysApi } from '../api/provider-keys-api.ts';
import { ConfirmedButton } from '../components/confirmed-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StackedTable } from '../components/stacked-table.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { explainOrgError } from './explain-org-error.ts';
import { formatDay } from './format-day.ts';
import { useOrgPage } from './use-org-page.ts';

const providerNames: Record<CloudProviderName, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  groq: 'Groq',
  mistral: 'Mistral',
  cohere: 'Cohere',
  ollama: 'Ollama',
};

type Field = 'api_key' | 'base_url';
const explainLoadError = (err: unknown) => explainOrgError(err, 'load the provider keys');

/**
 * The org's provider keys (BYOK): save one per provider (optionally with the base URL of a
 * gateway or an Ollama host), the masked list, delete. A key typed here goes to the API and is
 * dropped from the page at once: the API never sends it back, and the page never shows it.
 */
export function ProviderKeysPage(props: { org: string }) {
  const { api, profile, profileError, canManage } = useOrgPage(props.org, providerKeysApi);
  const [notice, setNotice] = useState<Notice | undefined>();
  const [provider, setProvider] = useState<CloudProviderName>('openai');
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [wrongField, setWrongField] = useState<Field | undefined>();
  const [isSaving, setSaving] = useState(false);

  const listKeys = useCallback(() => api.list(), [api]);
  const { value: keys, error: loadError, reload } = useLoaded(listKeys, explainLoadError);

  const saved = new Set(keys?.map((key) => key.provider));
  const isKeyOptional = provider === 'ollama';

  async function save(event: Event) {
    event.preventDefault();
    setSaving(true);
    setNotice(undefined);
    setWrongField(undefined);
    const name = providerNames[provider];
    const isReplacing = saved.has(provider);
    try {
      await api.save({
        provider,
        ...(apiKey.trim() ? { api_key: apiKey } : {}),
        ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
      });
      setApiKey('');
      setBaseUrl('');
      await reload();
      setNotice({
        kind: 'done',
        text: `The ${name} key is ${isReplacing ? 'replaced' : 'saved'}; agents using ${name} get it without a redeploy.`,
      });
    } catch (err) {
      // The key stays in its field to be corrected, never in the words shown (the API's messages omit it too).
      const field = err instanceof ApiError ? err.field : undefined;
      setWrongField(field === 'api_key' || field === 'base_url' ? field : undefined);
      setNotice({ kind: 'error', text: explainOrgError(err, `save the ${name} key`) });
    } finally {
      setSaving(false);
    }
  }

  async function remove(target: CloudProviderName) {
    setNotice(undefined);
    try {
      await api.remove(target);
      await reload();
      setNotice({
        kind: 'done',
        text: `The ${providerNames[target]} key is deleted; agents using it stop reaching ${providerNames[target]}.`,
      });
    } catch (err) {
      await reload();
      setNotice({ kind: 'error', text: explainOrgError(err, `delete the ${providerNames[target]} key`) });
    }
  }

  return (
    <section aria-labelledby="providers-title" class="org-page">
      <div class="page-head">
        <h1 id="providers-title">Provider keys</h1>
      </div>
      <p class="hint">
        Your own model provider keys (BYOK). They are encrypted at rest and given to this org's runtime only; Studio
        shows them masked and never reads them back.
      </p>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError ?? profileError} />
      {keys === undefined && !loadError && <p aria-live="polite">Loading provider keys…</p>}
      {keys?.length === 0 && <p class="empty">No provider key yet: agents of this org cannot reach a model.</p>}
      {keys && keys.length > 0 && (
        <div class="card">
          <StackedTable
            caption={`Provider keys of ${props.org}`}
            columns={['Provider', 'Key', 'Base URL', 'Updated']}
            hasActions={canManage}
          >
            {keys.map((key) => (
              <tr key={key.provider}>
                <td data-label="Provider">{providerNames[key.provider]}</td>
                <td data-label="Key">
                  <code>{key.masked_key ?? 'no key'}</code>
                </td>
                <td data-label="Base URL">
                  {key.base_url ? <code>{key.base_url}</code> : <span class="hint">provider default</span>}
                </td>
                <td data-label="Updated">{formatDay(key.updated_at)}</td>
                {canManage && (
                  <td class="actions">
                    <ConfirmedButton
                      label="Delete"
                      accessibleName={`Delete the ${providerNames[key.provider]} key`}
                      title={`Delete the ${providerNames[key.provider]} key?`}
                      confirmLabel="Delete key"
                      onConfirm={() => void remove(key.provider)}
                    >
                      <p>
                        Agents of this org that use {providerNames[key.provider]} fail until a key is saved again. The
                        key cannot be recovered from Studio.
                      </p>
                    </ConfirmedButton>
                  </td>
                )}
              </tr>
            ))}
          </StackedTable>
        </div>
      )}
      {profile && !canManage && (
        <p class="hint">Only owners and admins save and delete provider keys. Your role here: {profile.role}.</p>
      )}
      {canManage && (
        <form class="card org-form" onSubmit={save} aria-labelledby="save-provider-title" autocomplete="off">
          <h2 id="save-provider-title">Save a provider key</h2>
          <div class="fields">
            <div class="field">
              <label for="provider">Provider</label>
              <select
                id="provider"
                value={provider}
                onChange={(e) => setProvider(e.currentTarget.value as CloudProviderName)}
              >
                {cloudProviders.map((name) => (
                  <option key={name} value={name}>
                    {providerNames[name]}
                    {saved.has(name) ? ' (saved: saving replaces it)' : ''}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="provider-key">{isKeyOptional ? 'API key (optional for Ollama)' : 'API key'}</label>
              <input
                id="provider-key"
                type="password"
                autocomplete="off"
                spellcheck={false}
                required={!isKeyOptional}
                maxLength={1000}
                value={apiKey}
                aria-invalid={wrongField === 'api_key' || undefined}
                onInput={(e) => setApiKey(e.currentTarget.value)}
              />
            </div>
            <div class="field field-wide">
              <label for="provider-base-url">Base URL (optional)</label>
              <input
                id="provider-base-url"
                type="url"
                autocomplete="off"
                spellcheck={false}
                maxLength={2000}
                placeholder={provider === 'ollama' ? 'http://ollama.internal:11434' : 'the provider’s own API'}
                value={baseUrl}
                aria-invalid={wrongField === 'base_url' || undefined}
                aria-describedby="base-url-hint"
                onInput={(e) => setBaseUrl(e.currentTarget.value)}
              />
              <p class="hint" id="base-url-hint">
                Only for a gateway, a compatible endpoint or your Ollama host; leave empty for the provider’s own API.
                {saved.has(provider) ? ' Saving replaces the saved key and base URL together.' : ''}
              </p>
            </div>
          </div>
          <button type="submit" class="primary" disabled={isSaving}>
            {isSaving ? 'Saving…' : 'Save key'}
          </button>
        </form>
      )}
    </section>
  );
}
