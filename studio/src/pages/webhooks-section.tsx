import { useCallback, useMemo, useState } from 'preact/hooks';
import { type WebhookView, type WebhookWithSecretView, webhooksApi } from '../api/webhooks-api.ts';
import { ConfirmedButton } from '../components/confirmed-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StackedTable } from '../components/stacked-table.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { CreateWebhookForm } from './create-webhook-form.tsx';
import { explainOrgError } from './explain-org-error.ts';
import { formatDay } from './format-day.ts';
import { RotateWebhookDialog } from './rotate-webhook-dialog.tsx';
import { SecretOnceDialog } from './secret-once-dialog.tsx';
import { useRowAction } from './use-row-action.ts';

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
  // The one place a secret is held, and only while its dialog is open.
  const [shown, setShown] = useState<{ webhook: WebhookWithSecretView; isRotation: boolean } | undefined>();
  const [toRotate, setToRotate] = useState<WebhookView | undefined>();

  const listWebhooks = useCallback(() => api.list(), [api]);
  const {
    value: webhooks,
    error: loadError,
    reload,
  } = useLoaded(listWebhooks, explainLoadError, {
    isEnabled: props.canManage,
  });

  const { busyRow, run } = useRowAction({ reload, onNotice: setNotice });

  // The new secret is shown in its dialog, not in a notice.
  const rotate = (webhook: WebhookView, isAtOnce: boolean) =>
    run(webhook.id, `rotate the secret of “${webhook.name}”`, async () => {
      const rotated = await api.rotate(webhook.id, isAtOnce ? 0 : undefined);
      setShown({ webhook: rotated, isRotation: true });
      return undefined;
    });

  const remove = (webhook: WebhookView) =>
    run(webhook.id, `delete the webhook “${webhook.name}”`, async () => {
      await api.remove(webhook.id);
      return `The webhook “${webhook.name}” is deleted: its URL answers 401 from now on.`;
    });

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
        <StackedTable
          caption={`Webhooks of ${props.agent}`}
          columns={['Name', 'URL', 'Secret', 'Created', 'Rotated']}
          hasActions={true}
        >
          {webhooks.map((webhook) => (
            <tr key={webhook.id} aria-busy={busyRow === webhook.id}>
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
                    disabled={busyRow !== undefined}
                    aria-label={`Rotate the secret of ${webhook.name}`}
                    onClick={() => setToRotate(webhook)}
                  >
                    Rotate
                  </button>
                  <ConfirmedButton
                    label="Delete"
                    accessibleName={`Delete the webhook ${webhook.name}`}
                    isDisabled={busyRow !== undefined}
                    title={`Delete the webhook “${webhook.name}”?`}
                    confirmLabel="Delete webhook"
                    onConfirm={() => void remove(webhook)}
                  >
                    <p>
                      Calls to <code>{webhook.url}</code> are refused from now on (401). This cannot be undone.
                    </p>
                  </ConfirmedButton>
                </span>
              </td>
            </tr>
          ))}
        </StackedTable>
      )}
      {props.canManage && (
        <CreateWebhookForm
          api={api}
          agent={props.agent}
          onNotice={setNotice}
          onCreated={async (webhook) => {
            await reload();
            setShown({ webhook, isRotation: false });
          }}
        />
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
        <RotateWebhookDialog
          webhook={toRotate}
          onCancel={() => setToRotate(undefined)}
          onRotate={(isAtOnce) => {
            const webhook = toRotate;
            setToRotate(undefined);
            void rotate(webhook, isAtOnce);
          }}
        />
      )}
    </section>
  );
}
