import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { resolveConfinedPath } from '../confine-path.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';
import { FileConfig, FileEncoding } from './file-config.ts';

const WriteFileInput = z.object({
  path: z.string().min(1).max(4096).describe('File to write: absolute, or relative to the first allowed directory.'),
  content: z.string().describe('The whole new content of the file; an existing file is replaced.'),
  encoding: FileEncoding,
});
type WriteFileInput = z.infer<typeof WriteFileInput>;

export const writeFileTool: Tool<WriteFileInput> = {
  name: 'write_file',
  description:
    'Write text (or base64/hex-encoded bytes) to a local file in the directories this agent is allowed to use, ' +
    'creating missing folders and replacing an existing file. Use it to save reports, notes or generated data.',
  inputSchema: WriteFileInput,
  configSchema: FileConfig,
  async run(input, context) {
    const config = parseToolConfig(FileConfig, context.config, 'write_file');
    const bytes = Buffer.from(input.content, input.encoding);
    if (bytes.length > config.max_file_bytes) {
      throw new ToolError('invalid_input', `content: larger than max_file_bytes (${config.max_file_bytes} bytes)`);
    }
    const path = await resolveConfinedPath({
      tool: 'write_file',
      path: input.path,
      allowedPaths: config.allowed_paths,
      forWriting: true,
    });
    await mkdir(dirname(path), { recursive: true });
    // O_NOFOLLOW: if a symlink appeared at the final component since the check, refuse to follow it.
    const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW);
    try {
      await file.writeFile(bytes);
    } finally {
      await file.close();
    }
    return { path, bytes_written: bytes.length };
  },
};
