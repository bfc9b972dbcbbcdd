import { useState } from 'preact/hooks';
import type { WebhookView } from '../api/webhooks-api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';

/**
 * Asks before rotating a webhook's secret. By default the current secret keeps working for a day
 * (the API's grace), so the sender can switch without losing calls; a leaked one is refused at once.
 */
export function RotateWebhookDialog(props: {
  webhook: WebhookView;
  onCancel: () => void;
  onRotate: (isAtOnce: boolean) => void;
}) {
  const [isRevokingAtOnce, setRevokingAtOnce] = useState(false);
  return (
    <ConfirmDialog
      title={`Rotate the secret of “${props.webhook.name}”?`}
      confirmLabel="Rotate secret"
      onCancel={props.onCancel}
      onConfirm={() => props.onRotate(isRevokingAtOnce)}
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
  );
}
