import { randomUUID } from 'node:crypto';

// The two A2A wire formats the endpoint answers in, picked by the method's name: v1.0
// (`SendMessage`, the `@a2a-js/sdk` 1.x default: proto JSON, a oneof field names each result and
// event, enums like `TASK_STATE_WORKING`) and v0.3 (`message/send`, what many deployed A2A clients
// still speak: a `kind` names each object, enums like `working`, parts carry `kind: 'text'`).

export type A2aTaskState = 'working' | 'completed' | 'failed';

export interface A2aReply {
  text: string;
  contextId: string;
  taskId?: string;
  metadata?: Record<string, unknown>;
}

export interface A2aWireFormat {
  /** What SendMessage / message/send answers: the agent's message. */
  sendResult(reply: A2aReply): unknown;
  /** The stream's first event: the task, working. */
  task(input: { taskId: string; contextId: string; timestamp: string }): unknown;
  /** A chunk of the answer, as the artifact `answer`. */
  artifactUpdate(input: {
    taskId: string;
    contextId: string;
    text: string;
    isAppend: boolean;
    isLast: boolean;
  }): unknown;
  /** The stream's last event: the task completed or failed, with a message that says so. */
  statusUpdate(input: {
    taskId: string;
    contextId: string;
    state: A2aTaskState;
    reply: A2aReply;
    timestamp: string;
  }): unknown;
}

const v1States: Record<A2aTaskState, string> = {
  working: 'TASK_STATE_WORKING',
  completed: 'TASK_STATE_COMPLETED',
  failed: 'TASK_STATE_FAILED',
};

const v1Message = (reply: A2aReply) => ({
  messageId: randomUUID(),
  contextId: reply.contextId,
  ...(reply.taskId ? { taskId: reply.taskId } : {}),
  role: 'ROLE_AGENT',
  parts: [{ text: reply.text }],
  ...(reply.metadata ? { metadata: reply.metadata } : {}),
});

export const a2aV1: A2aWireFormat = {
  sendResult: (reply) => ({ message: v1Message(reply) }),
  task: ({ taskId, contextId, timestamp }) => ({
    task: { id: taskId, contextId, status: { state: v1States.working, timestamp } },
  }),
  artifactUpdate: ({ taskId, contextId, text, isAppend, isLast }) => ({
    artifactUpdate: {
      taskId,
      contextId,
      artifact: { artifactId: 'answer', name: 'answer', parts: [{ text }] },
      ...(isAppend ? { append: true } : {}),
      ...(isLast ? { lastChunk: true } : {}),
    },
  }),
  statusUpdate: ({ taskId, contextId, state, reply, timestamp }) => ({
    statusUpdate: { taskId, contextId, status: { state: v1States[state], message: v1Message(reply), timestamp } },
  }),
};

const v03Message = (reply: A2aReply) => ({
  kind: 'message',
  ...v1Message(reply),
  role: 'agent',
  parts: [{ kind: 'text', text: reply.text }],
});

export const a2aV03: A2aWireFormat = {
  sendResult: v03Message,
  task: ({ taskId, contextId, timestamp }) => ({
    kind: 'task',
    id: taskId,
    contextId,
    status: { state: 'working', timestamp },
  }),
  artifactUpdate: ({ taskId, contextId, text, isAppend, isLast }) => ({
    kind: 'artifact-update',
    taskId,
    contextId,
    artifact: { artifactId: 'answer', name: 'answer', parts: [{ kind: 'text', text }] },
    append: isAppend,
    lastChunk: isLast,
  }),
  statusUpdate: ({ taskId, contextId, state, reply, timestamp }) => ({
    kind: 'status-update',
    taskId,
    contextId,
    status: { state, message: v03Message(reply), timestamp },
    final: true,
  }),
};
