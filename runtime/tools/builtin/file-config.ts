import { z } from 'zod';

/** `tools[].config` of read_file and write_file. */
export const FileConfig = z.object({
  allowed_paths: z
    .array(z.string().min(1).max(4096))
    .max(32)
    .default([])
    .describe('Directories the tool may use. Without any, every path is refused.'),
  max_file_bytes: z
    .int()
    .positive()
    .max(50 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Largest file read_file returns and write_file writes.'),
});

export const FileEncoding = z
  .enum(['utf-8', 'utf8', 'ascii', 'latin1', 'base64', 'hex'])
  .default('utf-8')
  .describe('Text encoding; base64 or hex for binary files.');
