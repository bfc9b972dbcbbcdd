import { useCallback, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import { type WebhookView, type WebhookWithSecretView, webhooksApi } from '../api/webhooks-api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { explainOrgError } from './explain-org-error.ts';
import { formatDay } from './format-day.ts';
import { SecretOnceDialog } from './secret-once-dialog.tsx';

type Field = 'name' | 'template';
const explainLoadError = (err: unknown) => explainOrgError(err, 'load the webhooks');

/**
 * The agent's inbound webhooks: a signed POST to a webhook's URL starts a background run. The API
 * lets only owners and admins see them (a webhook's URL is a way in), so members get the reason
 * instead of a list. A signing secret is shown once, on create or rotate, in the dialog that
 * holds it; once closed, the page keeps only its prefix.
 */
export function WebhooksSection(props: { org: string; agent: string; canManage: boolean; role: string | undefined }) {
  const session = useSession();
  const api = useMemo(() => webhooksApi(session.api, props.org, props.agent), [session, props.org, props.agent]);
  const [notice, setNotice] = useState<Notice | undefined>();
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [wrongField, setWrongField] = useState<Field | undefined>();
  const [isCreating, setCreating] = useState(false);
  const [busyId, setBusyId] = useState<string | undefined>();
  // The one place a secret is held, and only while its dialog is open.
  const [shown, setShown] = useState<{ webhook: WebhookWithSecretView; isRotation: boolean } | undefined>();
  const [toRotate, setToRotate] = useState<WebhookView | undefined>();
  const [isRevokingAtOnce, setRevokingAtOnce] = useState(false);
  const [toDelete, setToDelete] = useState<WebhookView | undefined>();

  const listWebhooks = useCallback(() => api.list(), [api]);
  const {
    value: webhooks,
    error: loadError,
    reload,
  } = useLoaded(listWebhooks, explainLoadError, {
    isEnabled: props.canManage,
  });

  async function create(event: Event) {
    event.preventDefault();
    setCreating(true);
    setNotice(undefined);
    setWrongField(undefined);
    try {
      const webhook = await api.create({
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(template.trim() ? { template } : {}),
      });
      setName('');
      setTemplate('');
      await reload();
      setShown({ webhook, isRotation: false });
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      setWrongField(field === 'name' || field === 'template' ? field : undefined);
      setNotice({ kind: 'error', text: explainOrgError(err, 'create the webhook') });
    } finally {
      setCreating(false);
    }
  }

  async function rotate(webhook: WebhookView, isAtOnce: boolean) {
    setBusyId(webhook.id);
    setNotice(undefined);
    try {
      const rotated = await api.rotate(webhook.id, isAtOnce ? 0 : undefined);
      await reload();
      setShown({ webhook: rotated, isRotation: true });
    } catch (err) {
      await reload();
      setNotice({ kind: 'error', text: explainOrgError(err, `rotate the secret of “${webhook.name}”`) });
    } finally {
      setBusyId(undefined);
    }
  }

  async function remove(webhook: WebhookView) {
    setBusyId(webhook.id);
    setNotice(undefined);
    let outcome: Notice;
    try {
      await api.remove(webhook.id);
      outcome = { kind: 'done', text: `The webhook “${webhook.name}” is deleted: its URL answers 401 from now on.` };
    } catch (err) {
      outcome = { kind: 'error', text: explainOrgError(err, `delete the webhook “${webhook.name}”`) };
    }
    await reload();
    setBusyId(undefined);
    setNotice(outcome);
  }

  return (
    <section class="card integration-section" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p class="hint">
        A POST to a webhook's URL, signed with its secret (<code>X-Astromesh-Signature</code> over{' '}
        <code>X-Astromesh-Timestamp</code> and the body), starts a background run with the body as its payload.
      </p>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError} />
      {props.role && !props.canManage && (
        <p class="hint">Only owners and admins see and manage webhooks. Your role here: {props.role}.</p>
      )}
      {props.canManage && webhooks === undefined && !loadError && <p aria-live="polite">Loading webhooks…</p>}
      {webhooks?.length === 0 && <p class="empty">This agent has no webhooks.</p>}
      {webhooks && webhooks.length > 0 && (
        <table class="org-table stacked">
          <caption class="visually-hidden">Webhooks of {props.agent}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Secret</th>
              <th scope="col">Created</th>
              <th scope="col">Rotated</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {webhooks.map((webhook) => (
              <tr key={webhook.id} aria-busy={busyId === webhook.id}>
                <td data-label="Name">
                  <span class="cell-text">{webhook.name}</span>
                </td>
                <td data-label="URL">
                  <code>{webhook.url}</code>
                </td>
                <td data-label="Secret">
                  <code>{webhook.secret_prefix}…</code>
                  {webhook.previous_secret_expires_at && (
                    <span class="hint"> (old one until {formatDay(webhook.previous_secret_expires_at)})</span>
                  )}
                </td>
                <td data-label="Created">{formatDay(webhook.created_at)}</td>
                <td data-label="Rotated">{formatDay(webhook.rotated_at)}</td>
                <td class="actions">
                  <span class="row-actions">
                    <button
                      type="button"
                      disabled={busyId !== undefined}
                      aria-label={`Rotate the secret of ${webhook.name}`}
                      onClick={() => {
                        setRevokingAtOnce(false);
                        setToRotate(webhook);
                      }}
                    >
                      Rotate
                    </button>
                    <button
                      type="button"
                      class="danger"
                      disabled={busyId !== undefined}
                      aria-label={`Delete the webhook ${webhook.name}`}
                      onClick={() => setToDelete(webhook)}
                    >
                      Delete
                    </button>
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.canManage && (
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
      )}
      {shown && (
        <SecretOnceDialog
          keyName={shown.webhook.name}
          secret={shown.webhook.secret}
          title={
            shown.isRotation
              ? `New signing secret of “${shown.webhook.name}”`
              : `Webhook “${shown.webhook.name}” created`
          }
          secretLabel="Signing secret (the HMAC-SHA256 key of X-Astromesh-Signature)"
          warning="Copy the signing secret now: you will not see it again. It is stored sealed; if it is lost, rotate it."
          onClose={() => setShown(undefined)}
        >
          <label for="new-webhook-url">URL (the sender POSTs here)</label>
          <div class="secret-row">
            <input
              id="new-webhook-url"
              type="text"
              readOnly
              value={shown.webhook.url}
              spellcheck={false}
              onFocus={(e) => e.currentTarget.select()}
            />
          </div>
        </SecretOnceDialog>
      )}
      {toRotate && (
        <ConfirmDialog
          title={`Rotate the secret of “${toRotate.name}”?`}
          confirmLabel="Rotate secret"
          onCancel={() => setToRotate(undefined)}
          onConfirm={() => {
            const webhook = toRotate;
            setToRotate(undefined);
            void rotate(webhook, isRevokingAtOnce);
          }}
        >
          <p>A new secret is made and shown once. The current one keeps working for a day, so the sender can switch.</p>
          <label class="check">
            <input
              type="checkbox"
              checked={isRevokingAtOnce}
              onChange={(e) => setRevokingAtOnce(e.currentTarget.checked)}
            />{' '}
            Refuse the current secret at once (it leaked)
          </label>
        </ConfirmDialog>
      )}
      {toDelete && (
        <ConfirmDialog
          title={`Delete the webhook “${toDelete.name}”?`}
          confirmLabel="Delete webhook"
          onCancel={() => setToDelete(undefined)}
          onConfirm={() => {
            const webhook = toDelete;
            setToDelete(undefined);
            void remove(webhook);
          }}
        >
          <p>
            Calls to <code>{toDelete.url}</code> are refused from now on (401). This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
