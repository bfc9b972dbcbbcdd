import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { resolveConfinedPath } from '../confine-path.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';
import { FileConfig, FileEncoding } from './file-config.ts';

const ReadFileInput = z.object({
  path: z.string().min(1).max(4096).describe('File to read: absolute, or relative to the first allowed directory.'),
  encoding: FileEncoding,
});
type ReadFileInput = z.infer<typeof ReadFileInput>;

export const readFileTool: Tool<ReadFileInput> = {
  name: 'read_file',
  description:
    'Read a local file (text, CSV, JSON, Markdown…) from the directories this agent is allowed to use, and get ' +
    'its content. Use base64 encoding for binary files. Paths outside the allowed directories are refused.',
  inputSchema: ReadFileInput,
  configSchema: FileConfig,
  async run(input, context) {
    const config = parseToolConfig(FileConfig, context.config, 'read_file');
    const path = await resolveConfinedPath({
      tool: 'read_file',
      path: input.path,
      allowedPaths: config.allowed_paths,
      forWriting: false,
    });
    const info = await stat(path);
    if (info.isDirectory()) throw new ToolError('failed', `${input.path} is a directory, not a file`);
    if (info.size > config.max_file_bytes) {
      throw new ToolError('failed', `${input.path} is larger than max_file_bytes (${config.max_file_bytes} bytes)`);
    }
    const content = await readFile(path, { encoding: input.encoding, signal: context.signal });
    return { path, content, size: info.size, encoding: input.encoding };
  },
};
