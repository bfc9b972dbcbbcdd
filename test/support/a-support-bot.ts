/** The WizardConfig of a small support agent that the execution tests deploy and run. */
export const aSupportBot = {
  name: 'support-bot',
  step1: { model: 'openai/gpt-4o-mini' },
  step2: { persona: 'Support Agent', system_prompt: 'Answer questions about Acme orders.' },
};
