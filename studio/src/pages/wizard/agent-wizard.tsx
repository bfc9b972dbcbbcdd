import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentStatus } from '../../../../api/schemas/agent-summary.ts';
import type { McpServerView } from '../../../../api/schemas/mcp-server.ts';
import type { ProviderKeyView } from '../../../../api/schemas/provider-key-view.ts';
import type { AgentView, CompiledAgentPreview, WizardApi, WizardCatalogue, WizardIssue } from '../../api/wizard-api.ts';
import { type Notice, NoticeArea } from '../../components/notice-area.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { explainAgentError } from '../explain-agent-error.ts';
import { GuardrailsStep } from './guardrails-step.tsx';
import { issueOfError, issuesByControl } from './issue-of-error.ts';
import { MemoryStep } from './memory-step.tsx';
import { ModelStep } from './model-step.tsx';
import { PromptStep } from './prompt-step.tsx';
import { ReviewStep } from './review-step.tsx';
import { StepNav } from './step-nav.tsx';
import { ToolsStep } from './tools-step.tsx';
import { configOf, formOf, patchOf, type WizardForm } from './wizard-form.ts';
import { type ControlId, fieldTarget, stepOf, type WizardStepId, wizardSteps } from './wizard-steps.ts';

export interface WizardData {
  catalogue: WizardCatalogue;
  providerKeys: ProviderKeyView[];
  /** The org's MCP tool servers, offered in step 3. */
  mcpServers: McpServerView[];
  /** Undefined for a new agent. */
  agent: AgentView | undefined;
}

type Status = 'new' | AgentStatus;
type SaveOutcome = { ok: true } | { ok: false; issue: WizardIssue | undefined };

// How long after the last keystroke a draft saves itself, so a reload loses nothing typed before.
const autosaveDelayMs = 800;

const saveStateWords = (state: 'idle' | 'saving' | 'saved' | 'failed', status: Status) =>
  ({
    idle: '',
    saving: 'Saving…',
    saved: status === 'paused' ? 'Changes saved. Deploy from the review to serve them.' : 'Draft saved.',
    failed: 'Not saved: the API refused a field (see beside it). The agent keeps its last saved version.',
  })[state];

const editUrl = (name: string, step: WizardStepId) => `/studio/agents/${encodeURIComponent(name)}/edit?step=${step}`;

/**
 * The wizard's flow. Drafts save as you go: step 1 creates the draft (POST), every move between
 * steps saves (PUT) and a draft also saves itself while typing; the API decides what is valid and
 * its errors are shown on their controls. A deployed agent is read-only until paused.
 */
export function AgentWizard(props: { api: WizardApi; data: WizardData; initialStep: string | undefined }) {
  const { api, data } = props;
  const { catalogue } = data;
  const [form, setForm] = useState(() => formOf(data.agent?.wizard_config, catalogue));
  const [status, setStatus] = useState<Status>(data.agent?.status ?? 'new');
  const [step, setStep] = useState<WizardStepId>(data.agent ? stepOf(props.initialStep) : 'model');
  const [issues, setIssues] = useState<WizardIssue[]>([]);
  const [preview, setPreview] = useState<CompiledAgentPreview | undefined>();
  const [notice, setNotice] = useState<Notice | undefined>();
  const [saveState, setSaveState] = useState<'idle' | 'saving' | 'saved' | 'failed'>('idle');
  const [busy, setBusy] = useState<'deploy' | 'pause' | undefined>();

  // What the async saves read: the latest values, not those of the render that started them.
  const latest = useRef({ form, status });
  latest.current = { form, status };
  const agentName = useRef(data.agent?.name);
  const savedPatch = useRef(data.agent ? JSON.stringify(patchOf(form)) : '');
  const saveQueue = useRef<Promise<unknown>>(Promise.resolve());
  const pendingFocus = useRef<ControlId | 'heading' | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);

  const errors = issuesByControl(issues);
  const label = form.displayName.trim() || form.name.trim();
  const isCreated = status !== 'new';

  function failed(err: unknown, action: 'save' | 'deploy' | 'pause'): WizardIssue | undefined {
    const issue = issueOfError(err);
    if (issue) setIssues([issue]);
    else setNotice({ kind: 'error', text: explainAgentError(err, agentName.current ?? form.name, action) });
    return issue;
  }

  async function saveNow(): Promise<SaveOutcome> {
    const { form: current, status: currentStatus } = latest.current;
    if (currentStatus === 'deployed') return { ok: true };
    const patch = JSON.stringify(patchOf(current));
    if (currentStatus !== 'new' && patch === savedPatch.current) return { ok: true };
    setSaveState('saving');
    try {
      if (currentStatus === 'new') {
        const agent = await api.create(configOf(current));
        agentName.current = agent.name;
        latest.current = { ...latest.current, status: agent.status };
        setStatus(agent.status);
      } else {
        await api.update(agentName.current as string, patchOf(current));
      }
      savedPatch.current = patch;
      setIssues([]);
      setSaveState('saved');
      return { ok: true };
    } catch (err) {
      setSaveState('failed');
      return { ok: false, issue: failed(err, 'save') };
    }
  }

  /** Saves are queued, so an autosave and a step change never race. */
  function save(): Promise<SaveOutcome> {
    const outcome = saveQueue.current.then(saveNow);
    saveQueue.current = outcome;
    return outcome;
  }

  function show(target: WizardStepId, focus: ControlId | 'heading') {
    setStep(target);
    pendingFocus.current = focus;
    if (agentName.current) history.replaceState(history.state, '', editUrl(agentName.current, target));
  }

  function goToIssue(issue: WizardIssue | undefined) {
    const target = fieldTarget(issue?.field);
    if (target) show(target.step, target.control);
  }

  /**
   * Back and Next stop at a refused field and focus it; the step list moves anyway (the issue
   * stays beside its control and in the review's list), except before the draft exists.
   */
  async function goTo(target: WizardStepId, how: { stopsAtIssue: boolean }) {
    setNotice(undefined);
    const outcome = await save();
    if (outcome.ok || (!how.stopsAtIssue && latest.current.status !== 'new')) show(target, 'heading');
    else goToIssue(outcome.issue);
  }

  async function deploy() {
    setBusy('deploy');
    setNotice(undefined);
    const outcome = await save();
    if (outcome.ok) {
      try {
        await api.deploy(agentName.current as string);
        setStatus('deployed');
        setNotice({ kind: 'done', text: `“${agentName.current}” is deployed and accepts runs.` });
      } catch (err) {
        failed(err, 'deploy');
      }
    }
    setBusy(undefined);
  }

  async function pauseToEdit() {
    setBusy('pause');
    setNotice(undefined);
    try {
      await api.pause(agentName.current as string);
      setStatus('paused');
      setNotice({
        kind: 'done',
        text: `“${agentName.current}” is paused: it takes no runs until you deploy it again. You can edit it now.`,
      });
    } catch (err) {
      failed(err, 'pause');
    }
    setBusy(undefined);
  }

  // A draft saves itself shortly after the typing stops (a paused agent saves on each step change:
  // its save also rewrites its deployment).
  useEffect(() => {
    if (status !== 'draft' || JSON.stringify(patchOf(form)) === savedPatch.current) return;
    const timer = setTimeout(() => void save(), autosaveDelayMs);
    return () => clearTimeout(timer);
  }, [form, status]);

  // Leaving the page (a link, the back button) saves what was not sent yet: a draft's pending
  // autosave, or a paused agent's edits on its current step.
  useEffect(
    () => () => {
      const { form: last, status: lastStatus } = latest.current;
      if ((lastStatus === 'draft' || lastStatus === 'paused') && JSON.stringify(patchOf(last)) !== savedPatch.current)
        void save();
    },
    [],
  );

  // The review compiles what the wizard holds (saved already, as reaching the review saves).
  useEffect(() => {
    if (step !== 'review') return;
    let isCurrent = true;
    setPreview(undefined);
    api
      .compile(configOf(latest.current.form))
      .then((compiled) => {
        if (!isCurrent) return;
        setPreview(compiled);
        setIssues(compiled.issues);
      })
      .catch((err: unknown) => isCurrent && failed(err, 'save'));
    return () => {
      isCurrent = false;
    };
  }, [step, api]);

  // After a step change, focus goes to the new step's heading, or to the control an error names.
  useEffect(() => {
    const focus = pendingFocus.current;
    if (!focus) return;
    pendingFocus.current = undefined;
    const element = focus === 'heading' ? heading.current : document.getElementById(focus);
    const target = element?.tagName === 'FIELDSET' ? element.querySelector('input') : element;
    target?.focus();
  });

  const index = wizardSteps.findIndex((entry) => entry.id === step);
  const current = wizardSteps[index] ?? wizardSteps[0];
  const previous = wizardSteps[index - 1];
  const next = wizardSteps[index + 1];
  const stepProps = {
    form,
    catalogue,
    errors,
    update: (change: Partial<WizardForm>) => setForm((before) => ({ ...before, ...change })),
  };

  return (
    <section aria-labelledby="wizard-title" class="wizard">
      <div class="page-head">
        <h1 id="wizard-title">{isCreated ? label : 'New agent'}</h1>
        {isCreated && <StateBadge status={status as AgentStatus} />}
      </div>
      <p class="back">
        <a href="/studio/agents">All agents</a>
      </p>
      {status === 'deployed' && (
        <div class="locked card">
          <p>“{label}” is deployed, so it cannot be changed. Pausing it stops its runs until you deploy it again.</p>
          <button type="button" disabled={busy !== undefined} onClick={() => void pauseToEdit()}>
            {busy === 'pause' ? 'Pausing…' : 'Pause to edit'}
          </button>
        </div>
      )}
      <NoticeArea notice={notice} />
      <StepNav current={step} isCreated={isCreated} onGo={(target) => void goTo(target, { stopsAtIssue: false })} />
      <form
        class="wizard-step card"
        aria-labelledby="wizard-step-title"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (next) void goTo(next.id, { stopsAtIssue: true });
        }}
      >
        <h2 id="wizard-step-title" tabIndex={-1} ref={heading}>
          {step === 'review' ? 'Review and deploy' : `Step ${current.number} of 5: ${current.title}`}
        </h2>
        {step === 'review' ? (
          <ReviewStep form={form} preview={preview} issues={issues} onGoToIssue={goToIssue} />
        ) : (
          <fieldset class="step-fields" disabled={status === 'deployed' || busy !== undefined}>
            {step === 'model' && <ModelStep {...stepProps} providerKeys={data.providerKeys} isCreated={isCreated} />}
            {step === 'prompt' && <PromptStep {...stepProps} />}
            {step === 'tools' && <ToolsStep {...stepProps} mcpServers={data.mcpServers} />}
            {step === 'memory' && <MemoryStep {...stepProps} />}
            {step === 'guardrails' && <GuardrailsStep {...stepProps} />}
          </fieldset>
        )}
        <div class="wizard-actions">
          {previous && (
            <button type="button" onClick={() => void goTo(previous.id, { stopsAtIssue: true })}>
              Back
            </button>
          )}
          {step === 'review' && status !== 'deployed' && (
            <button
              type="button"
              class="primary"
              disabled={busy !== undefined || issues.length > 0 || preview === undefined}
              onClick={() => void deploy()}
            >
              {busy === 'deploy' ? 'Deploying…' : 'Deploy'}
            </button>
          )}
          {next && (
            <button type="submit" class="primary">
              {isCreated ? `Next: ${next.title}` : 'Create draft and continue'}
            </button>
          )}
        </div>
        <p class="save-state" role="status">
          {saveStateWords(saveState, status)}
        </p>
      </form>
    </section>
  );
}
