import { useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import type { WebhooksApi, WebhookWithSecretView } from '../api/webhooks-api.ts';
import type { Notice } from '../components/notice-area.tsx';
import { explainOrgError } from './explain-org-error.ts';

type Field = 'name' | 'template';

/**
 * Creates a webhook of the agent: a name and the Liquid template of its runs' query, both
 * optional (the API's defaults: the agent's name, and the payload as JSON). A template that does
 * not parse is the API's 422 naming `template`, marked at that field.
 */
export function CreateWebhookForm(props: {
  api: WebhooksApi;
  agent: string;
  onNotice: (notice: Notice | undefined) => void;
  /** Gets the secret, which the caller shows once. */
  onCreated: (webhook: WebhookWithSecretView) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [wrongField, setWrongField] = useState<Field | undefined>();
  const [isCreating, setCreating] = useState(false);

  async function create(event: Event) {
    event.preventDefault();
    setCreating(true);
    props.onNotice(undefined);
    setWrongField(undefined);
    try {
      const webhook = await props.api.create({
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(template.trim() ? { template } : {}),
      });
      setName('');
      setTemplate('');
      await props.onCreated(webhook);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      setWrongField(field === 'name' || field === 'template' ? field : undefined);
      props.onNotice({ kind: 'error', text: explainOrgError(err, 'create the webhook') });
    } finally {
      setCreating(false);
    }
  }

  return (
    <form class="org-form" onSubmit={create} aria-labelledby="create-webhook-title">
      <h3 id="create-webhook-title">Create a webhook</h3>
      <div class="fields">
        <div class="field">
          <label for="webhook-name">Name (optional)</label>
          <input
            id="webhook-name"
            type="text"
            maxLength={100}
            autocomplete="off"
            placeholder={`e.g. GitHub issues (default: ${props.agent})`}
            value={name}
            aria-invalid={wrongField === 'name' || undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div class="field field-wide">
          <label for="webhook-template">Query template (optional, Liquid)</label>
          <textarea
            id="webhook-template"
            rows={3}
            maxLength={10_000}
            spellcheck={false}
            placeholder={'Webhook {{ webhook.name }} received:\n{{ payload | json }}'}
            value={template}
            aria-invalid={wrongField === 'template' || undefined}
            onInput={(e) => setTemplate(e.currentTarget.value)}
          />
        </div>
      </div>
      <button type="submit" class="primary" disabled={isCreating}>
        {isCreating ? 'Creating…' : 'Create webhook'}
      </button>
    </form>
  );
}
